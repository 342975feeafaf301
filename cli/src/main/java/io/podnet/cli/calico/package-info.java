/**
 * calicoctl's commands on podnet's datastore: {@code apply|create|replace|delete -f}, {@code get}, {@code ipam
 * show|check|release|configure} and {@code node delete}, with calicoctl's output formats.
 *
 * <pre>
 *   DatastoreOptions (--etcd-endpoints, TLS, auth, --calico-prefix | --agent-config) ──► EtcdDatastore
 *        ├─ ResourceCommands ──► ResourceReader/ResourceStore (io.podnet.calico)
 *        ├─ IpamCommand      ──► ClusterIpam, IpamCheck, IpamMaintenance (io.podnet.ipam.cluster)
 *        └─ NodeCommand      ──► ResourceStore + IpamMaintenance.releaseNode
 * </pre>
 * Exit codes as the other commands: 0 ok, 1 datastore or lookup error, 2 invalid input.
 */
package io.podnet.cli.calico;
