/**
 * {@link io.podnet.datastore.etcd.EtcdDatastore}: the datastore on etcd v3 (3.4+) through jetcd, with
 * endpoint fail-over, TLS, user/password auth, bounded call times and self-resuming watches.
 */
package io.podnet.datastore.etcd;
