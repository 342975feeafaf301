/** The datastore SPI (get/range/put/delete, CAS transactions, leases, watches) with etcd and in-memory implementations. */
module io.podnet.datastore {
    requires transitive io.podnet.net;
    // transitive so tools and the benchmark can build a raw jetcd client to compare against
    requires transitive jetcd.core;
    requires jetcd.common;
    requires io.netty.handler;
    // the JSON-gateway client: the JDK's HTTP client and Jackson for the JSON
    requires java.net.http;
    requires com.fasterxml.jackson.databind;
    exports io.podnet.datastore;
    exports io.podnet.datastore.memory;
    exports io.podnet.datastore.etcd;
}
