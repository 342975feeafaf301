/** Docker CNM: podnet as a Docker remote network driver and IPAM driver, served over a unix socket. */
module io.podnet.cnm {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    requires io.podnet.ipam;
    requires transitive io.podnet.workload;
    requires com.fasterxml.jackson.databind;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.unixdomain.server;
    exports io.podnet.cnm;
    opens io.podnet.cnm.state to com.fasterxml.jackson.databind;
}
