/** Attach and detach one workload: veth, addresses, routes, sysctls, bridge port or routed (calico-style) veth; podnet's nft table. */
module io.podnet.workload {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    exports io.podnet.workload.bridge;
    exports io.podnet.workload.nft;
    exports io.podnet.workload.routed;
    exports io.podnet.workload.ns;
}
