/** Datastore benchmark: podnet's etcd datastore versus a raw jetcd client loop on the same throwaway etcd. */
package io.podnet.bench.datastore;
