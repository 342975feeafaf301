/**
 * {@link io.podnet.datastore.memory.MemoryDatastore}: the in-memory datastore with etcd's revision, lease,
 * watch and compaction semantics, driven by an injected clock. For unit tests; no persistence.
 */
package io.podnet.datastore.memory;
