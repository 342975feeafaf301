package io.podnet.ipam.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.calico.IpPool;
import io.podnet.ipam.IpamException;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Allocation, claims, borrowing, limits, pool choice, handles and release on the in-memory datastore. */
class ClusterIpamTest {
    final IpamFixture f = new IpamFixture();

    @Test
    void firstAllocationClaimsABlockAndWritesHandleAndAffinity() throws Exception {
        f.pool("p", "10.10.0.0/24", 26);
        f.node("n1", Map.of());
        var a = f.ipam().autoAssign(IpamFixture.v4("k8s-pod-network.c1", "n1"));
        assertThat(a).hasSize(1);
        IpPrefix block = a.getFirst().block();
        assertThat(block.length()).isEqualTo(26);
        assertThat(f.reader.affinity("n1", block)).map(v -> v.value().state()).contains(BlockAffinity.State.CONFIRMED);
        assertThat(f.reader.block(block).orElseThrow().value().affinity()).isEqualTo("host:n1");
        assertThat(f.reader.handle("k8s-pod-network.c1").orElseThrow().value().block()).containsEntry(block.toString(), 1);
        // the next allocation reuses the affine block
        var b = f.ipam().autoAssign(IpamFixture.v4("k8s-pod-network.c2", "n1"));
        assertThat(b.getFirst().block()).isEqualTo(block);
        assertThat(b.getFirst().ip()).isNotEqualTo(a.getFirst().ip());
        assertThat(f.reader.affinities("n1", null)).hasSize(1);
    }

    @Test
    void nodesGetTheirOwnBlocksAndBorrowWhenThePoolIsFull() throws Exception {
        f.pool("p", "10.10.0.0/25", 26); // two blocks
        f.node("n1", Map.of());
        f.node("n2", Map.of());
        f.node("n3", Map.of());
        ClusterIpam ipam = f.ipam();
        IpPrefix b1 = ipam.autoAssign(IpamFixture.v4("h1", "n1")).getFirst().block();
        IpPrefix b2 = ipam.autoAssign(IpamFixture.v4("h2", "n2")).getFirst().block();
        assertThat(b1).isNotEqualTo(b2);
        // n3 finds no free block: it borrows an address from someone's block (strictAffinity is false)
        var borrowed = ipam.autoAssign(IpamFixture.v4("h3", "n3")).getFirst();
        assertThat(borrowed.block()).isIn(b1, b2);
        assertThat(f.reader.affinities("n3", null)).isEmpty();
        assertThat(ipam.allocation(borrowed.ip()).orElseThrow().attributes()).containsEntry("node", "n3");
        // fill everything: 128 addresses in all, then 101 naming the pool
        for (int i = 3; i < 128; i++) ipam.autoAssign(IpamFixture.v4("x" + i, "n" + (1 + i % 3)));
        assertThat(f.allocated()).hasSize(128).doesNotHaveDuplicates();
        assertThatThrownBy(() -> ipam.autoAssign(IpamFixture.v4("late", "n1"))).isInstanceOfSatisfying(IpamException.class,
                e -> assertThat(e.reason()).isEqualTo(IpamException.Reason.EXHAUSTED)).hasMessageContaining("p (10.10.0.0/25)");
        assertThat(f.reader.handle("late")).isEmpty(); // nothing half-written
    }

    @Test
    void strictAffinityForbidsBorrowing() throws Exception {
        f.pool("p", "10.10.0.0/26", 26);
        f.node("n1", Map.of());
        f.node("n2", Map.of());
        f.config(true, 0, 0);
        f.ipam().autoAssign(IpamFixture.v4("h1", "n1"));
        assertThatThrownBy(() -> f.ipam().autoAssign(IpamFixture.v4("h2", "n2"))).hasMessageContaining("strictAffinity: no borrowing");
    }

    @Test
    void maxBlocksPerHostLimitsClaims() throws Exception {
        f.pool("p", "10.10.0.0/24", 30); // 64 blocks of 4
        f.node("n1", Map.of());
        f.config(true, 2, 0);
        ClusterIpam ipam = f.ipam();
        for (int i = 0; i < 8; i++) ipam.autoAssign(IpamFixture.v4("h" + i, "n1"));
        assertThat(f.reader.affinities("n1", null)).hasSize(2);
        assertThatThrownBy(() -> ipam.autoAssign(IpamFixture.v4("h9", "n1"))).isInstanceOf(IpamException.class);
    }

    @Test
    void poolsAreChosenByNodeSelectorOrByName() throws Exception {
        f.res.create(IpPool.of("zone-a", IpPool.Spec.of("10.1.0.0/24").withNodeSelector("zone == 'a'")));
        f.res.create(IpPool.of("zone-b", IpPool.Spec.of("10.2.0.0/24").withNodeSelector("zone in {'b', 'c'} && !has(edge)")));
        f.res.create(IpPool.of("off", IpPool.Spec.of("10.3.0.0/24").withDisabled(true)));
        f.node("na", Map.of("zone", "a"));
        f.node("nb", Map.of("zone", "c"));
        f.node("edge", Map.of("zone", "b", "edge", "true"));
        ClusterIpam ipam = f.ipam();
        assertThat(ipam.autoAssign(IpamFixture.v4("h1", "na")).getFirst().pool().name()).isEqualTo("zone-a");
        assertThat(ipam.autoAssign(IpamFixture.v4("h2", "nb")).getFirst().pool().name()).isEqualTo("zone-b");
        assertThatThrownBy(() -> ipam.autoAssign(IpamFixture.v4("h3", "edge"))).hasMessageContaining("no enabled IPv4 IP pool selects node edge");
        // explicit pools (CNI ipv4_pools) by name or CIDR
        var byName = new ClusterIpam.AssignRequest("h4", "edge", Map.of(), 1, 0, List.of("zone-a"), List.of());
        assertThat(ipam.autoAssign(byName).getFirst().pool().name()).isEqualTo("zone-a");
        var byCidr = new ClusterIpam.AssignRequest("h5", "na", Map.of(), 1, 0, List.of("10.2.0.0/24"), List.of());
        assertThat(ipam.autoAssign(byCidr).getFirst().pool().name()).isEqualTo("zone-b");
        var disabled = new ClusterIpam.AssignRequest("h6", "na", Map.of(), 1, 0, List.of("off"), List.of());
        assertThatThrownBy(() -> ipam.autoAssign(disabled)).hasMessageContaining("ipam.ipv4_pools[0]: IPPool \"off\" is disabled");
        var missing = new ClusterIpam.AssignRequest("h7", "na", Map.of(), 1, 0, List.of("zone-a", "nope"), List.of());
        assertThatThrownBy(() -> ipam.autoAssign(missing)).hasMessageContaining("ipam.ipv4_pools[1]: no IPPool named or with CIDR \"nope\"");
    }

    @Test
    void dualStackIsAllOrNothing() throws Exception {
        f.pool("v4", "10.1.0.0/24", 26);
        f.res.create(IpPool.of("v6", IpPool.Spec.of("fd00:1::/120").withBlockSize(122)));
        f.node("n1", Map.of());
        ClusterIpam ipam = f.ipam();
        var both = ipam.autoAssign(new ClusterIpam.AssignRequest("h1", "n1", Map.of("node", "n1"), 1, 1, List.of(), List.of()));
        assertThat(both).extracting(a -> a.ip().family().bits()).containsExactly(32, 128);
        for (int i = 0; i < 255; i++) ipam.autoAssign(new ClusterIpam.AssignRequest("v6-" + i, "n1", Map.of("node", "n1"), 0, 1, List.of(), List.of()));
        int before = f.allocated().size();
        assertThatThrownBy(() -> ipam.autoAssign(new ClusterIpam.AssignRequest("h2", "n1", Map.of(), 1, 1, List.of(), List.of())))
                .hasMessageContaining("no IPv6 addresses available");
        assertThat(f.allocated()).hasSize(before); // the IPv4 one was given back
        assertThat(f.reader.handle("h2")).isEmpty();
    }

    @Test
    void releaseByHandleIsIdempotentAndDeletesTheHandle() throws Exception {
        f.pool("p", "10.1.0.0/24", 26);
        f.node("n1", Map.of());
        ClusterIpam ipam = f.ipam();
        var a = ipam.autoAssign(new ClusterIpam.AssignRequest("h1", "n1", Map.of(), 3, 0, List.of(), List.of()));
        assertThat(f.reader.handle("h1").orElseThrow().value().total()).isEqualTo(3);
        assertThat(ipam.releaseByHandle("h1")).containsExactlyInAnyOrderElementsOf(a.stream().map(ClusterIpam.Assignment::ip).toList());
        assertThat(f.reader.handle("h1")).isEmpty();
        assertThat(ipam.releaseByHandle("h1")).isEmpty();
        assertThat(f.allocated()).isEmpty();
    }

    @Test
    void releaseByIpWithAStaleSequenceNumberDoesNotFreeAReusedAddress() throws Exception {
        f.pool("p", "10.1.0.0/30", 30); // one block of four
        f.node("n1", Map.of());
        ClusterIpam ipam = f.ipam();
        IpAddress ip = ipam.autoAssign(IpamFixture.v4("old", "n1")).getFirst().ip();
        long oldSeq = ipam.allocation(ip).orElseThrow().sequenceNumber();
        ipam.releaseByHandle("old");
        List<IpAddress> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) got.add(ipam.autoAssign(IpamFixture.v4("new" + i, "n1")).getFirst().ip());
        assertThat(got).contains(ip);
        // a release computed before the reuse (e.g. from an old `ipam check` report) must not free it
        assertThat(ipam.releaseIps(List.of(new ClusterIpam.IpRelease(ip, Optional.of(oldSeq), Optional.empty())))).isEmpty();
        assertThat(ipam.releaseIps(List.of(new ClusterIpam.IpRelease(ip, Optional.empty(), Optional.of("old"))))).isEmpty();
        assertThat(ipam.allocation(ip)).isPresent();
        long seq = ipam.allocation(ip).orElseThrow().sequenceNumber();
        String holder = ipam.allocation(ip).orElseThrow().handleId();
        assertThat(ipam.releaseIps(List.of(new ClusterIpam.IpRelease(ip, Optional.of(seq), Optional.of(holder))))).containsExactly(ip);
        assertThat(f.reader.handle(holder)).isEmpty();
        assertThat(ipam.releaseIps(List.of(ClusterIpam.IpRelease.of(ip)))).isEmpty(); // idempotent
    }

    @Test
    void requestedAddressComesFromAnyPoolAndIsRefusedWhenTaken() throws Exception {
        f.pool("p", "10.1.0.0/24", 26);
        f.node("n1", Map.of());
        f.node("n2", Map.of());
        ClusterIpam ipam = f.ipam();
        var a = ipam.assignIp(IpAddress.parse("10.1.0.200"), "h1", "n1", Map.of("node", "n1"));
        assertThat(a.block()).isEqualTo(IpPrefix.parse("10.1.0.192/26"));
        assertThat(f.reader.affinity("n1", a.block())).isPresent();
        assertThatThrownBy(() -> ipam.assignIp(IpAddress.parse("10.1.0.200"), "h2", "n2", Map.of()))
                .isInstanceOfSatisfying(IpamException.class, e -> assertThat(e.reason()).isEqualTo(IpamException.Reason.REQUESTED_UNAVAILABLE))
                .hasMessageContaining("already allocated to handle h1");
        assertThatThrownBy(() -> ipam.assignIp(IpAddress.parse("10.9.0.1"), "h3", "n1", Map.of())).hasMessageContaining("is in no IP pool");
        // another node's block: the address is borrowed from it
        assertThat(ipam.assignIp(IpAddress.parse("10.1.0.201"), "h4", "n2", Map.of("node", "n2")).block()).isEqualTo(a.block());
    }

    @Test
    void cooldownHoldsReleasedAddresses() throws Exception {
        f.pool("p", "10.1.0.0/30", 30);
        f.node("n1", Map.of());
        f.config(false, 0, 60);
        ClusterIpam ipam = f.ipam();
        List<IpAddress> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) all.add(ipam.autoAssign(IpamFixture.v4("h" + i, "n1")).getFirst().ip());
        ipam.releaseByHandle("h0");
        assertThat(ipam.allocation(all.get(0))).map(ClusterIpam.IpInfo::cooling).contains(true);
        assertThatThrownBy(() -> ipam.autoAssign(IpamFixture.v4("h4", "n1"))).isInstanceOf(IpamException.class);
        f.clock.advance(Duration.ofSeconds(60));
        assertThat(ipam.autoAssign(IpamFixture.v4("h5", "n1")).getFirst().ip()).isEqualTo(all.get(0));
    }

    @Test
    void aStaleBlockCacheOnlyCostsARetry() throws Exception {
        f.pool("p", "10.1.0.0/24", 26);
        f.node("n1", Map.of());
        ClusterIpam a = f.ipam();
        ClusterIpam b = f.ipam(); // two processes of one node, each with its own cache
        List<IpAddress> got = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            got.add((i % 2 == 0 ? a : b).autoAssign(IpamFixture.v4("h" + i, "n1")).getFirst().ip());
        }
        assertThat(got).doesNotHaveDuplicates();
        assertThat(f.reader.affinities("n1", null)).hasSize(1);
        for (int i = 0; i < 20; i++) {
            assertThat(f.reader.handle("h" + i).orElseThrow().value().total()).isEqualTo(1);
        }
    }

    @Test
    void aStaleHandleCacheOnlyCostsARetry() throws Exception {
        f.pool("p", "10.1.0.0/24", 26);
        f.node("n1", Map.of());
        f.node("n2", Map.of());
        ClusterIpam a = f.ipam();
        ClusterIpam other = f.ipam();
        // another writer adds to the handle a has cached: a's release frees both addresses
        IpAddress first = a.autoAssign(IpamFixture.v4("h1", "n1")).getFirst().ip();
        IpAddress second = other.autoAssign(IpamFixture.v4("h1", "n2")).getFirst().ip();
        assertThat(a.releaseByHandle("h1")).containsExactlyInAnyOrder(first, second);
        assertThat(f.reader.handle("h1")).isEmpty();
        assertThat(f.allocated()).isEmpty();
        // another writer released it already (GC, `ipam release`): a's release frees nothing and writes nothing wrong
        IpAddress third = a.autoAssign(IpamFixture.v4("h2", "n1")).getFirst().ip();
        IpAddress kept = a.autoAssign(IpamFixture.v4("h3", "n1")).getFirst().ip();
        assertThat(other.releaseIps(List.of(ClusterIpam.IpRelease.of(third)))).containsExactly(third);
        assertThat(a.releaseByHandle("h2")).isEmpty();
        assertThat(f.allocated()).containsExactly(kept);
        // the block a cached changed under it (another release): still one correct release
        IpAddress fourth = a.autoAssign(IpamFixture.v4("h4", "n1")).getFirst().ip();
        other.releaseByHandle("h3");
        assertThat(a.releaseByHandle("h4")).containsExactly(fourth);
        assertThat(f.allocated()).isEmpty();
        assertThat(IpamCheck.run(f.reader, null).problems()).isZero();
    }
}
