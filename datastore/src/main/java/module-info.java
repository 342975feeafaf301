/** The datastore SPI (get/range/put/delete, CAS transactions, leases, watches) with etcd and in-memory implementations. */
module io.podnet.datastore {
    requires transitive io.podnet.net;
}
