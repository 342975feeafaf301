/** Kernel-state reconcilers: DeltaTracker, link/address/neighbour/FDB/route tables, one reconcile loop. */
module io.podnet.dataplane {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
}
