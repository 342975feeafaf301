/** The node agent: the one composition root (config, wiring, CNI server, dataplane, cluster modes). */
module io.podnet.agent {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    requires io.podnet.workload;
    requires io.podnet.cni;
    requires io.podnet.ipam;
    requires io.podnet.datastore;
    requires io.podnet.overlay;
    requires io.podnet.cnm;
    requires io.podnet.dataplane;
    requires io.podnet.routed;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    exports io.podnet.agent;
    exports io.podnet.agent.cni;
    opens io.podnet.agent to com.fasterxml.jackson.databind;
}
