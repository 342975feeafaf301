/**
 * Kernel-state reconcilers: {@link io.podnet.dataplane.DeltaTracker}, route/neighbour/FDB tables, the
 * {@link io.podnet.dataplane.Kernel} seam (real: rtnetlink; fake: {@code io.podnet.dataplane.fake}) and one
 * reconcile loop. Depends on net and rtnetlink only.
 */
module io.podnet.dataplane {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    exports io.podnet.dataplane;
    exports io.podnet.dataplane.fake;
}
