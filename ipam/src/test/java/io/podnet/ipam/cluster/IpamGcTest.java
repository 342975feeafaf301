package io.podnet.ipam.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.calico.Node;
import io.podnet.datastore.Op;
import io.podnet.datastore.Txn;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GC on a manual clock: grace periods, re-checks, two observations, one block kept, nothing live released. */
class IpamGcTest {
    static final Duration GRACE = Duration.ofMinutes(5);
    final IpamFixture f = new IpamFixture();
    final Set<String> live = new HashSet<>();
    final WorkloadLiveness liveness = () -> { Set<String> copy = Set.copyOf(live); return (h, ip, a) -> copy.contains(h); };
    ClusterIpam ipam;

    @BeforeEach
    void cluster() throws Exception {
        f.pool("p", "10.1.0.0/24", 28);
        f.node("n1", Map.of());
        f.node("n2", Map.of());
        ipam = f.ipam();
    }

    IpamGc gc(String node) { return new IpamGc(ipam, node, liveness, GRACE, f.clock); }

    @Test
    void releasesOwnLeaksOnlyAfterTheGracePeriodAndNeverLiveOnes() throws Exception {
        ipam.autoAssign(IpamFixture.v4("live", "n1"));
        IpAddress leaked = ipam.autoAssign(IpamFixture.v4("leaked", "n1")).getFirst().ip();
        ipam.autoAssign(IpamFixture.v4("other-node", "n2"));
        live.add("live");
        IpamGc gc = gc("n1");
        assertThat(gc.runOnce().leakedHandlesReleased()).isEmpty();
        f.clock.advance(GRACE.minusSeconds(1));
        assertThat(gc.runOnce().leakedHandlesReleased()).isEmpty();
        f.clock.advance(Duration.ofSeconds(1));
        var r = gc.runOnce();
        assertThat(r.leakedHandlesReleased()).containsExactly("leaked");
        assertThat(r.leakedAddresses()).containsExactly(leaked);
        assertThat(f.reader.handle("live")).isPresent();
        assertThat(f.reader.handle("other-node")).isPresent(); // n2's allocations are n2's agent's business
    }

    @Test
    void aWorkloadThatAppearsBeforeTheReleaseIsKept() throws Exception {
        ipam.autoAssign(IpamFixture.v4("slow", "n1"));
        boolean[] flip = {false};
        // the oracle answers "not live" for the first look and "live" for the re-check right before the release
        WorkloadLiveness flipping = () -> { boolean now = flip[0]; flip[0] = true; return (h, ip, a) -> now; };
        IpamGc gc = new IpamGc(ipam, "n1", flipping, GRACE, f.clock);
        gc.runOnce();
        flip[0] = false;
        f.clock.advance(GRACE);
        assertThat(gc.runOnce().leakedHandlesReleased()).isEmpty();
        assertThat(f.reader.handle("slow")).isPresent();
    }

    @Test
    void aRemovedNodesBlocksAreReleasedClusterWideAfterTheGracePeriod() throws Exception {
        IpPrefix b2 = ipam.autoAssign(IpamFixture.v4("n2-a", "n2")).getFirst().block();
        ipam.autoAssign(IpamFixture.v4("n2-b", "n2"));
        f.res.delete(Node.KIND, null, "n2", null);
        IpamGc gc = gc("n1");
        assertThat(gc.runOnce().nodesReleased()).isEmpty();
        f.clock.advance(GRACE);
        assertThat(gc.runOnce().nodesReleased()).containsExactly("n2");
        assertThat(f.reader.block(b2)).isEmpty();
        assertThat(f.reader.affinities("n2", null)).isEmpty();
        assertThat(f.reader.handle("n2-a")).isEmpty();
        assertThat(f.allocated()).isEmpty();
    }

    @Test
    void aRemovedNodesBlockHoldingBorrowedAddressesLosesOnlyItsAffinity() throws Exception {
        f.config(false, 0, 0);
        IpPrefix b = ipam.autoAssign(IpamFixture.v4("n2-a", "n2")).getFirst().block();
        IpAddress borrowed = ipam.assignIp(b.first().add(5), "n1-borrow", "n1", Map.of("node", "n1")).ip();
        var rel = new IpamMaintenance(f.reader).releaseNode("n2");
        assertThat(rel.blocksUnaffined()).containsExactly(b);
        assertThat(f.reader.block(b).orElseThrow().value().affinity()).isNull();
        assertThat(ipam.allocation(borrowed)).isPresent();
        // once empty, the unaffined block goes after two observations
        ipam.releaseByHandle("n1-borrow");
        IpamGc gc = gc("n1");
        assertThat(gc.runOnce().emptyBlocksReleased()).isEmpty();
        assertThat(gc.runOnce().emptyBlocksReleased()).containsExactly(b);
    }

    @Test
    void emptyBlocksGoAfterTwoObservationsButANodeKeepsOne() throws Exception {
        List<String> handles = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) { // 16 per /28: three blocks
            ipam.autoAssign(IpamFixture.v4("h" + i, "n1"));
            handles.add("h" + i);
        }
        assertThat(f.reader.affinities("n1", null)).hasSize(3);
        for (String h : handles) ipam.releaseByHandle(h);
        IpamGc gc = gc("n1");
        assertThat(gc.runOnce().emptyBlocksReleased()).isEmpty();
        // a write in between resets the observation for that block
        ipam.autoAssign(IpamFixture.v4("blip", "n1"));
        ipam.releaseByHandle("blip");
        var second = gc.runOnce().emptyBlocksReleased();
        assertThat(second).hasSize(2);
        assertThat(gc.runOnce().emptyBlocksReleased()).isEmpty();
        assertThat(gc.runOnce().emptyBlocksReleased()).isEmpty();
        assertThat(f.reader.affinities("n1", null)).hasSize(1);
    }

    @Test
    void aPendingAffinityIsResolvedAfterTheGracePeriod() throws Exception {
        IpPrefix orphan = IpPrefix.parse("10.1.0.240/28");
        f.ds.txn(Txn.batch(List.of(Op.put(f.reader.keys().affinity("n1", orphan), IpamJson.encode(BlockAffinity.PENDING)))));
        IpamGc gc = gc("n2");
        assertThat(gc.runOnce().pendingAffinitiesResolved()).isEmpty();
        f.clock.advance(GRACE);
        assertThat(gc.runOnce().pendingAffinitiesResolved()).hasSize(1);
        assertThat(f.reader.affinity("n1", orphan)).isEmpty();
        // a pending claim whose block was created (crash before the confirm) is confirmed instead
        IpPrefix made = ipam.autoAssign(IpamFixture.v4("x", "n1")).getFirst().block();
        f.ds.txn(Txn.batch(List.of(Op.put(f.reader.keys().affinity("n1", made), IpamJson.encode(BlockAffinity.PENDING)))));
        gc.runOnce();
        f.clock.advance(GRACE);
        gc.runOnce();
        assertThat(f.reader.affinity("n1", made)).map(a -> a.value().state()).contains(BlockAffinity.State.CONFIRMED);
    }

    @Test
    void orphanHandlesAreDeletedAfterTheGracePeriod() throws Exception {
        f.ds.put(f.reader.keys().handle("ghost"), IpamJson.encode(IpamHandle.EMPTY.add("10.1.0.0/28", 1)));
        IpamGc gc = gc("n1");
        gc.runOnce();
        f.clock.advance(GRACE);
        assertThat(gc.runOnce().orphanHandlesDeleted()).containsExactly("ghost");
    }
}
