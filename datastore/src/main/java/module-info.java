/** The datastore SPI (get/range/put/delete, CAS transactions, leases, watches) with etcd and in-memory implementations. */
module io.podnet.datastore {
    requires transitive io.podnet.net;
    requires jetcd.core;
    requires jetcd.common;
    requires io.netty.handler;
    exports io.podnet.datastore;
    exports io.podnet.datastore.memory;
    exports io.podnet.datastore.etcd;
}
