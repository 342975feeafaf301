/**
 * Flannel-compatible subnet leases in the datastore (flanneld's subnet manager).
 * <pre>
 *   /coreos.com/network/config                  NetworkConfig (flannel JSON, written by `podnet overlay config` or etcdctl)
 *   /coreos.com/network/subnets/10.5.52.0-24    LeaseAttrs {"PublicIP","BackendType","BackendData":{"VtepMAC"}}, on a 24 h etcd lease
 *
 *   SubnetManager.acquire ─▶ own lease by PublicIP? reuse : previous subnet free? take : random of first 100 free
 *                          └─ create = txn(absent(key) → put(key, attrs, lease)), retried on conflict
 *   LeaseWatcher ─▶ watch(prefix, rev) ─▶ Added/Removed events; Compacted ─▶ snapshot + diff ─▶ watch again
 * </pre>
 */
package io.podnet.overlay.subnet;
