/** The datastore SPI (get/range/put/delete, CAS transactions, leases, watches) with etcd and in-memory implementations. */
package io.podnet.datastore;
