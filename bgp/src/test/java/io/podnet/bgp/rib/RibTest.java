package io.podnet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.AsPathSegment;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.bgp.message.UpdateMessage;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** iBGP/eBGP rules, route reflection, next-hop handling, loop checks and graceful-restart staleness. */
class RibTest {
    static final long AS = 64512;
    static final IpAddress RR_ID = IpAddress.parse("10.0.0.1");
    static final IpPrefix P = IpPrefix.parse("10.244.1.0/24");
    static final IpPrefix P6 = IpPrefix.parse("fd00:244:1::/64");

    static IpAddress ip(String s) { return IpAddress.parse(s); }

    static PeerPolicy peer(String addr, long as, boolean client) {
        RouteSource.Kind k = as == AS ? RouteSource.Kind.IBGP : RouteSource.Kind.EBGP;
        return new PeerPolicy(new RouteSource(k, ip(addr), as, ip(addr), client), false,
                new PeerPolicy.NextHops(ip("10.0.0.1"), Optional.of(ip("fd00::1"))), PeerPolicy.Filters.ACCEPT_ALL);
    }

    static UpdateMessage announce(String nh, IpPrefix p, PathAttribute... more) {
        List<PathAttribute> attrs = new java.util.ArrayList<>(List.of(Origin.IGP, AsPath.EMPTY, new NextHop(ip(nh))));
        attrs.addAll(List.of(more));
        return new UpdateMessage(List.of(), attrs, List.of(p));
    }

    static Rib rib(IpAddress clusterId, PeerPolicy... peers) {
        Rib r = new Rib(AS, RR_ID, clusterId, 100);
        for (PeerPolicy p : peers) {
            r.addPeer(p);
            r.sessionUp(p.source().peerAddress());
        }
        return r;
    }

    static Map<IpAddress, List<Rib.OutRoute>> receive(Rib r, String from, UpdateMessage u) {
        return r.export(r.decide(r.receive(ip(from), u, true)));
    }

    @Test
    void ibgpRoutesAreNotReadvertisedToIbgpPeersWithoutReflection() {
        Rib r = rib(null, peer("10.0.0.2", AS, false), peer("10.0.0.3", AS, false), peer("10.0.0.9", 65009, false));
        var out = receive(r, "10.0.0.2", announce("10.0.0.2", P));
        assertThat(out).containsOnlyKeys(ip("10.0.0.9"));
        Attrs a = out.get(ip("10.0.0.9")).getFirst().attrs();
        assertThat(a.asPath()).isEqualTo(new AsPath(List.of(AsPathSegment.sequence(AS))));
        assertThat(a.nextHop()).isEqualTo(ip("10.0.0.1"));
        assertThat(a.localPref()).isEqualTo(-1);
    }

    @Test
    void reflectorSendsClientRoutesToEveryoneWithOriginatorIdAndClusterList() {
        Rib r = rib(RR_ID, peer("10.0.0.2", AS, true), peer("10.0.0.3", AS, true), peer("10.0.0.4", AS, false));
        var out = receive(r, "10.0.0.2", announce("10.0.0.2", P));
        assertThat(out).containsOnlyKeys(ip("10.0.0.3"), ip("10.0.0.4"));
        Attrs a = out.get(ip("10.0.0.3")).getFirst().attrs();
        assertThat(a.originatorId()).isEqualTo(ip("10.0.0.2"));
        assertThat(a.clusterList()).containsExactly(RR_ID);
        assertThat(a.nextHop()).isEqualTo(ip("10.0.0.2")); // a reflector never changes the next hop
        assertThat(a.localPref()).isEqualTo(100);
    }

    @Test
    void reflectorSendsNonClientRoutesToClientsOnly() {
        Rib r = rib(RR_ID, peer("10.0.0.2", AS, true), peer("10.0.0.4", AS, false), peer("10.0.0.5", AS, false));
        var out = receive(r, "10.0.0.4", announce("10.0.0.4", P));
        assertThat(out).containsOnlyKeys(ip("10.0.0.2"));
    }

    @Test
    void reflectedRouteCarryingOurClusterIdOrOurRouterIdIsIgnored() {
        Rib r = rib(RR_ID, peer("10.0.0.2", AS, true), peer("10.0.0.3", AS, true));
        assertThat(r.receive(ip("10.0.0.2"), announce("10.0.0.2", P, new ClusterList(List.of(RR_ID))), true)).isEmpty();
        assertThat(r.receive(ip("10.0.0.2"), announce("10.0.0.2", P, new OriginatorId(RR_ID)), true)).isEmpty();
        assertThat(r.locRib().size()).isZero();
    }

    @Test
    void ebgpPathContainingOurAsIsALoopAndLocalPrefFromEbgpIsDiscarded() {
        Rib r = rib(null, peer("10.0.0.9", 65009, false), peer("10.0.0.2", AS, false));
        AsPath loop = new AsPath(List.of(AsPathSegment.sequence(65009L, AS)));
        assertThat(r.receive(ip("10.0.0.9"), announce("10.0.0.9", P, loop), true)).isEmpty();
        AsPath ok = new AsPath(List.of(AsPathSegment.sequence(65009L)));
        UpdateMessage u = new UpdateMessage(List.of(), List.of(Origin.IGP, ok, new NextHop(ip("10.0.0.9")), new LocalPref(999)), List.of(P));
        var out = receive(r, "10.0.0.9", u);
        Attrs toIbgp = out.get(ip("10.0.0.2")).getFirst().attrs();
        assertThat(toIbgp.localPref()).isEqualTo(100);
        assertThat(toIbgp.nextHop()).isEqualTo(ip("10.0.0.9")); // iBGP keeps the eBGP next hop
    }

    @Test
    void nextHopSelfRewritesIbgpNextHop() {
        PeerPolicy p = peer("10.0.0.2", AS, false);
        PeerPolicy nhs = new PeerPolicy(p.source(), true, p.localNextHops(), p.filters());
        Rib r = rib(null, peer("10.0.0.9", 65009, false), nhs);
        var out = receive(r, "10.0.0.9", announce("10.0.0.9", P, new AsPath(List.of(AsPathSegment.sequence(65009L)))));
        assertThat(out.get(ip("10.0.0.2")).getFirst().attrs().nextHop()).isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void localRoutesGoToEveryPeerWithOurAddressAsNextHop() {
        Rib r = rib(null, peer("10.0.0.2", AS, false), peer("10.0.0.9", 65009, false));
        var out = r.export(r.decide(r.addLocal(P6, ip("::"), List.of())));
        assertThat(out.get(ip("10.0.0.2")).getFirst().attrs().nextHop()).isEqualTo(ip("fd00::1"));
        assertThat(out.get(ip("10.0.0.9")).getFirst().attrs().asPath().firstAs()).isEqualTo(AS);
        out = r.export(r.decide(r.removeLocal(P6)));
        assertThat(out.get(ip("10.0.0.2"))).containsExactly(new Rib.OutRoute(P6, null));
    }

    @Test
    void unknownTransitiveAttributesArePassedOnWithThePartialBit() {
        Rib r = rib(null, peer("10.0.0.9", 65009, false), peer("10.0.0.8", 65008, false));
        var out = receive(r, "10.0.0.9", announce("10.0.0.9", P, new AsPath(List.of(AsPathSegment.sequence(65009L))),
                new Unknown(PathAttribute.OPTIONAL_TRANSITIVE, 99, new byte[] {1}),
                new Unknown(PathAttribute.OPTIONAL_NON_TRANSITIVE, 98, new byte[] {2})));
        assertThat(out.get(ip("10.0.0.8")).getFirst().attrs().list())
                .contains(new Unknown(PathAttribute.OPTIONAL_TRANSITIVE | PathAttribute.FLAG_PARTIAL, 99, new byte[] {1}))
                .noneMatch(a -> a.typeCode() == 98);
    }

    @Test
    void importAndExportFiltersArePlainPredicates() {
        PeerPolicy in = peer("10.0.0.9", 65009, false);
        in = new PeerPolicy(in.source(), false, in.localNextHops(), new PeerPolicy.Filters(rt -> rt.prefix().length() <= 24, rt -> true));
        PeerPolicy out = peer("10.0.0.8", 65008, false);
        out = new PeerPolicy(out.source(), false, out.localNextHops(), new PeerPolicy.Filters(rt -> true, rt -> !rt.prefix().equals(P)));
        Rib r = rib(null, in, out);
        AsPath path = new AsPath(List.of(AsPathSegment.sequence(65009L)));
        assertThat(r.receive(ip("10.0.0.9"), announce("10.0.0.9", IpPrefix.parse("10.9.9.0/25"), path), true)).isEmpty();
        assertThat(receive(r, "10.0.0.9", announce("10.0.0.9", P, path))).isEmpty();
        assertThat(r.locRib().get(P)).isPresent();
    }

    @Test
    void gracefulRestartKeepsStaleRoutesUntilEndOfRib() {
        Rib r = rib(RR_ID, peer("10.0.0.2", AS, true), peer("10.0.0.3", AS, true));
        IpPrefix q = IpPrefix.parse("10.244.2.0/24");
        r.decide(r.receive(ip("10.0.0.2"), announce("10.0.0.2", P), true));
        r.decide(r.receive(ip("10.0.0.2"), announce("10.0.0.2", q), true));
        assertThat(r.sessionDown(ip("10.0.0.2"), true)).isEmpty();
        assertThat(r.locRib().size()).isEqualTo(2);
        r.sessionUp(ip("10.0.0.2"));
        r.decide(r.receive(ip("10.0.0.2"), announce("10.0.0.2", P), true)); // refreshed: no longer stale
        var changes = r.decide(r.sweepStale(ip("10.0.0.2"), AfiSafi.IPV4_UNICAST));
        assertThat(changes).extracting(BestPathChange::prefix, BestPathChange::best).containsExactly(org.assertj.core.groups.Tuple.tuple(q, Optional.empty()));
        assertThat(changes.getFirst().previous()).map(Route::prefix).contains(q);
        assertThat(r.locRib().get(P)).isPresent();
    }

    @Test
    void sessionDownWithoutGracefulRestartWithdrawsEverything() {
        Rib r = rib(null, peer("10.0.0.9", 65009, false), peer("10.0.0.8", 65008, false));
        receive(r, "10.0.0.9", announce("10.0.0.9", P, new AsPath(List.of(AsPathSegment.sequence(65009L)))));
        var out = r.export(r.decide(r.sessionDown(ip("10.0.0.9"), false)));
        assertThat(out.get(ip("10.0.0.8"))).containsExactly(new Rib.OutRoute(P, null));
    }

    @Test
    void twoOctetPeerPathsAreMergedWithAs4Path() {
        AsPath two = new AsPath(List.of(AsPathSegment.sequence(65009L, 23456L)));
        As4Path four = new As4Path(List.of(AsPathSegment.sequence(4_200_000_000L)));
        List<PathAttribute> merged = AsPaths.fromPeer(List.of(Origin.IGP, two, four), false);
        assertThat(merged).containsExactly(Origin.IGP, new AsPath(List.of(AsPathSegment.sequence(65009L), AsPathSegment.sequence(4_200_000_000L))));
        List<PathAttribute> toOld = AsPaths.toTwoOctetPeer(List.of(new AsPath(List.of(AsPathSegment.sequence(4_200_000_000L)))));
        assertThat(toOld).hasSize(2).last().isInstanceOf(As4Path.class);
    }

    @Test
    void adjRibOutIsDerivedFromTheLocRibAndCountsWhatWasSent() {
        Rib r = rib(null, peer("10.0.0.9", 65009, false), peer("10.0.0.8", 65008, false));
        IpPrefix q = IpPrefix.parse("10.244.2.0/24");
        List<PathAttribute> path = List.of(new AsPath(List.of(AsPathSegment.sequence(65009L))));
        receive(r, "10.0.0.9", announce("10.0.0.9", P, path.toArray(PathAttribute[]::new)));
        var out = receive(r, "10.0.0.9", announce("10.0.0.9", q, path.toArray(PathAttribute[]::new)));
        AdjRibOut to8 = r.adjRibOut(ip("10.0.0.8")).orElseThrow();
        assertThat(to8.size()).isEqualTo(2);
        assertThat(to8.get(q)).isEqualTo(out.get(ip("10.0.0.8")).getFirst().attrs());
        assertThat(r.adjRibOut(ip("10.0.0.9")).orElseThrow().size()).isZero(); // not sent back to its source
        // the same path again changes nothing and sends nothing
        assertThat(receive(r, "10.0.0.9", announce("10.0.0.9", q, path.toArray(PathAttribute[]::new)))).isEmpty();
        var withdraw = r.export(r.decide(r.receive(ip("10.0.0.9"), new UpdateMessage(List.of(q), List.of(), List.of()), true)));
        assertThat(withdraw.get(ip("10.0.0.8"))).containsExactly(new Rib.OutRoute(q, null));
        assertThat(to8.size()).isEqualTo(1);
        assertThat(to8.get(q)).isNull();
    }

    @Test
    void fullTableIsStreamedInChunksAndResetsTheCount() {
        Rib r = rib(null, peer("10.0.0.9", 65009, false));
        r.addPeer(peer("10.0.0.8", 65008, false));
        List<PathAttribute> path = List.of(new AsPath(List.of(AsPathSegment.sequence(65009L))));
        for (int i = 0; i < 25; i++) {
            receive(r, "10.0.0.9", announce("10.0.0.9", IpPrefix.of(IpAddress.v4((20 << 24) + (i << 8)), 24), path.toArray(PathAttribute[]::new)));
        }
        r.sessionUp(ip("10.0.0.8"));
        List<Integer> chunks = new java.util.ArrayList<>();
        r.fullTable(ip("10.0.0.8"), null, 10, c -> chunks.add(c.size()));
        assertThat(chunks).containsExactly(10, 10, 5);
        assertThat(r.adjRibOut(ip("10.0.0.8")).orElseThrow().size()).isEqualTo(25);
        List<Integer> v6 = new java.util.ArrayList<>();
        r.fullTable(ip("10.0.0.8"), io.podnet.net.IpFamily.V6, 10, c -> v6.add(c.size()));
        assertThat(v6).isEmpty();
    }
}
