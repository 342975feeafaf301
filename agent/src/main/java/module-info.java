/** The node agent: the one composition root (config, wiring, CNI server, dataplane, cluster modes). */
module io.podnet.agent {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    requires io.podnet.workload;
    requires io.podnet.cni;
    requires io.podnet.ipam;
}
