/**
 * The node dataplane: {@link io.podnet.dataplane.NodeDataplane} (the one writer of host-namespace kernel state),
 * its desired-state tables over {@link io.podnet.dataplane.DeltaTracker}, the {@link io.podnet.dataplane.Kernel}
 * seam (real: rtnetlink + namespace workers; fake: the test-jar's {@code FakeKernel}), podnet's nft table model
 * and one reconcile loop. Depends on net and rtnetlink (and Jackson, to read {@code nft -j}).
 */
module io.podnet.dataplane {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    requires com.fasterxml.jackson.databind;
    exports io.podnet.dataplane;
    exports io.podnet.dataplane.nft;
}
