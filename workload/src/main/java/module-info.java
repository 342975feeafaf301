/** Attach and detach one workload: veth, addresses, routes, sysctls, bridge port; podnet's nft table. */
module io.podnet.workload {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    exports io.podnet.workload.bridge;
    exports io.podnet.workload.nft;
    exports io.podnet.workload.ns;
}
