/**
 * The datastore SPI: {@link io.podnet.datastore.Datastore} (get, paged prefix range, put, delete, multi-key
 * compare-and-swap transactions, leases, watches from a revision with compaction resync), its value records
 * and its typed errors. Implementations: {@code io.podnet.datastore.etcd} (clusters) and
 * {@code io.podnet.datastore.memory} (unit tests of the code above it). Semantics follow etcd v3.4's API.
 */
package io.podnet.datastore;
