package io.podnet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.message.AsPathSegment;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.bgp.rib.DecisionProcess.Step;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionProcessTest {
    static final IpPrefix P = IpPrefix.parse("10.1.0.0/16");
    final DecisionProcess dp = new DecisionProcess(100);

    static RouteSource ibgp(String addr, String id) {
        return new RouteSource(RouteSource.Kind.IBGP, IpAddress.parse(addr), 65000, IpAddress.parse(id), false);
    }

    static RouteSource ebgp(String addr, long as) {
        return new RouteSource(RouteSource.Kind.EBGP, IpAddress.parse(addr), as, IpAddress.parse(addr), false);
    }

    static Route route(RouteSource s, PathAttribute... extra) {
        List<PathAttribute> attrs = new ArrayList<>(List.of(Origin.IGP, new AsPath(List.of(AsPathSegment.sequence(s.isIbgp() ? 65010L : s.peerAs())))));
        for (PathAttribute a : extra) {
            attrs.removeIf(x -> x.typeCode() == a.typeCode());
            attrs.add(a);
        }
        return new Route(P, s, new Attrs(s.peerAddress(), attrs));
    }

    static AsPath path(Long... asns) { return new AsPath(List.of(AsPathSegment.sequence(asns))); }

    @Test
    void highestLocalPrefWinsOverShorterPath() {
        Route a = route(ibgp("10.0.0.1", "1.1.1.1"), new LocalPref(200), path(1L, 2L, 3L));
        Route b = route(ibgp("10.0.0.2", "2.2.2.2"), new LocalPref(100));
        assertThat(dp.select(List.of(b, a))).isEqualTo(new DecisionProcess.Decision(a, Step.LOCAL_PREF));
    }

    @Test
    void shorterAsPathWinsAndAnAsSetCountsOne() {
        Route set = route(ebgp("10.0.0.1", 1), new AsPath(List.of(AsPathSegment.sequence(1L), new AsPathSegment(AsPathSegment.Type.AS_SET, List.of(5L, 6L, 7L)))));
        Route seq = route(ebgp("10.0.0.2", 2), path(2L, 3L, 4L));
        assertThat(dp.select(List.of(seq, set))).isEqualTo(new DecisionProcess.Decision(set, Step.AS_PATH_LENGTH));
    }

    @Test
    void lowerOriginWins() {
        Route igp = route(ebgp("10.0.0.2", 2));
        Route inc = route(ebgp("10.0.0.1", 1), new Origin(OriginType.INCOMPLETE));
        assertThat(dp.select(List.of(inc, igp))).isEqualTo(new DecisionProcess.Decision(igp, Step.ORIGIN));
    }

    @Test
    void medIsComparedOnlyBetweenRoutesFromTheSameNeighbourAs() {
        Route as1Low = route(ebgp("10.0.0.3", 1), new MultiExitDisc(10));
        Route as1High = route(ebgp("10.0.0.1", 1), new MultiExitDisc(50));
        Route as2High = route(ebgp("10.0.0.2", 2), new MultiExitDisc(99));
        // as1High is beaten by as1Low; as2High survives (different AS); eBGP tie -> lowest router id 10.0.0.2
        assertThat(dp.select(List.of(as1High, as2High, as1Low)).best()).isEqualTo(as2High);
        assertThat(dp.select(List.of(as1High, as1Low))).isEqualTo(new DecisionProcess.Decision(as1Low, Step.MED));
    }

    @Test
    void ebgpBeatsIbgp() {
        Route i = route(ibgp("10.0.0.1", "1.1.1.1"));
        Route e = route(ebgp("10.0.0.9", 65010));
        assertThat(dp.select(List.of(i, e))).isEqualTo(new DecisionProcess.Decision(e, Step.EBGP_OVER_IBGP));
    }

    @Test
    void lowestRouterIdUsesOriginatorIdWhenPresent() {
        Route a = route(ibgp("10.0.0.1", "1.1.1.1"), new OriginatorId(IpAddress.parse("9.9.9.9")));
        Route b = route(ibgp("10.0.0.2", "2.2.2.2"));
        assertThat(dp.select(List.of(a, b))).isEqualTo(new DecisionProcess.Decision(b, Step.ROUTER_ID));
    }

    @Test
    void shorterClusterListThenLowestPeerAddressBreakTies() {
        Route a = route(ibgp("10.0.0.1", "1.1.1.1"), new OriginatorId(IpAddress.parse("5.5.5.5")),
                new ClusterList(List.of(IpAddress.parse("1.1.1.1"), IpAddress.parse("2.2.2.2"))));
        Route b = route(ibgp("10.0.0.2", "2.2.2.2"), new OriginatorId(IpAddress.parse("5.5.5.5")),
                new ClusterList(List.of(IpAddress.parse("3.3.3.3"))));
        assertThat(dp.select(List.of(a, b))).isEqualTo(new DecisionProcess.Decision(b, Step.CLUSTER_LIST_LENGTH));
        Route c = route(ibgp("10.0.0.3", "5.5.5.5"));
        Route d = route(ibgp("10.0.0.4", "5.5.5.5"));
        assertThat(dp.select(List.of(d, c))).isEqualTo(new DecisionProcess.Decision(c, Step.PEER_ADDRESS));
    }

    @Test
    void locallyOriginatedRoutesWin() {
        Route l = new Route(P, RouteSource.local(65000, IpAddress.parse("1.1.1.1")), new Attrs(IpAddress.parse("0.0.0.0"), List.of(Origin.IGP, AsPath.EMPTY)));
        Route i = route(ibgp("10.0.0.1", "1.1.1.1"), new LocalPref(500));
        assertThat(dp.select(List.of(i, l))).isEqualTo(new DecisionProcess.Decision(l, Step.LOCAL_ORIGIN));
    }
}
