/** The node agent: the one composition root (config, wiring, CNI server, dataplane, cluster modes). */
module io.podnet.agent {
    requires io.podnet.net;
    requires io.podnet.rtnetlink;
    requires io.podnet.cni;
    requires io.podnet.ipam;
}
