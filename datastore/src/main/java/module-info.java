/** The datastore SPI (get/range/put/delete, CAS transactions, leases, watches) with etcd and in-memory implementations. */
module io.podnet.datastore {
    requires transitive io.podnet.net;
    // transitive so tools and the benchmark can build a raw jetcd client to compare against
    requires transitive jetcd.core;
    requires jetcd.common;
    requires io.netty.handler;
    exports io.podnet.datastore;
    exports io.podnet.datastore.memory;
    exports io.podnet.datastore.etcd;
}
