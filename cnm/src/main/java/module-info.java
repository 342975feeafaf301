/** Docker CNM: remote network driver and IPAM driver. */
module io.podnet.cnm {
    requires transitive io.podnet.net;
    requires io.podnet.rtnetlink;
    requires io.podnet.ipam;
    requires io.podnet.workload;
}
