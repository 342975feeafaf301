package io.podnet.cli.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cli.explain.Explanation.Path;
import io.podnet.cli.explain.Explanation.Verdict;
import io.podnet.cli.explain.Hop.Kind;
import io.podnet.net.IpAddress;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Path walks over hand-made snapshots ({@link Topo}), each breaking one thing and asserting the hop and the reason. */
class PathWalkerTest {
    static final IpAddress P1 = IpAddress.parse("10.244.1.2");
    static final IpAddress P2 = IpAddress.parse("10.244.2.2");

    static Explanation explain(Topo t, Flow.Proto proto, int size) {
        return PathWalker.explain(t.cluster(), new Flow(P1, P2, proto, proto == Flow.Proto.ICMP ? 0 : 7777, size, true));
    }

    static Explanation tcp(Topo t) { return explain(t, Flow.Proto.TCP, 1400); }

    static Hop stop(Path p) { return p.stop().orElseThrow(); }

    @Test
    void vxlanPodToPodIsReachableBothWaysThroughEveryLayer() {
        Explanation e = tcp(Topo.vxlan());
        assertThat(e.reachable()).as(e.render(true)).isTrue();
        assertThat(e.forward().hops()).extracting(Hop::ns).containsSubsequence("n1-p1", "n1", "sw", "n2", "n2-p1");
        assertThat(e.forward().hops()).anyMatch(h -> h.ns().equals("n1") && h.kind() == Kind.ROUTE
                && h.text().contains("10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink") && h.text().contains("proto 98 = podnet")
                && h.text().contains("lease 10.244.2.0/24 → 192.168.200.2"));
        assertThat(e.forward().hops()).anyMatch(h -> h.kind() == Kind.FDB && h.text().contains("dst 192.168.200.2"));
        assertThat(e.forward().hops()).anyMatch(h -> h.kind() == Kind.TUNNEL && h.text().contains("1400 + 50 bytes"));
        assertThat(e.forward().hops()).anyMatch(h -> h.ns().equals("n2") && h.kind() == Kind.TUNNEL && h.text().contains("decapsulated"));
        assertThat(stop(e.forward())).extracting(Hop::ns, Hop::kind).containsExactly("n2-p1", Kind.DELIVER);
        assertThat(stop(e.reply().orElseThrow())).extracting(Hop::ns, Hop::kind).containsExactly("n1-p1", Kind.DELIVER);
        assertThat(e.render(false)).endsWith("REACHABLE\n");
    }

    @Test
    void aMissingRouteStopsAtTheNodeAndNamesTheLeaseThatShouldHaveIt() {
        Topo t = Topo.vxlan().edit("n1", b -> b.removeIf(o -> o instanceof Route r && r.dst().toString().equals("10.244.2.0/24")));
        Explanation e = tcp(t);
        Hop h = stop(e.forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Kind.ROUTE);
        assertThat(h.text()).contains("no route to 10.244.2.2").contains("the lease 10.244.2.0/24 (PublicIP 192.168.200.2) exists");
        assertThat(e.forward().fix()).hasValueSatisfying(f -> assertThat(f).contains("podnet lab start-node n1"));
    }

    @Test
    void aMissingRouteWithoutALeaseSaysNoNodeHoldsOne() {
        Topo t = Topo.vxlan().edit("n1", b -> b.removeIf(o -> o instanceof Route r && r.dst().toString().equals("10.244.2.0/24")));
        t.control = new ControlPlane(t.control.overlay(), t.control.leases().subList(0, 1), java.util.List.of(), java.util.List.of(), t.control.agentRunning());
        assertThat(stop(tcp(t).forward()).text()).contains("no node holds a lease covering 10.244.2.2");
    }

    @Test
    void aMissingFdbEntryDropsTheFrameAtTheVtep() {
        Topo t = Topo.vxlan().edit("n1", b -> b.removeIf(o -> o instanceof FdbEntry));
        Hop h = stop(tcp(t).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Kind.FDB);
        assertThat(h.text()).contains("no FDB entry for 0e:00:00:00:02:0f on flannel.1").contains("the lease 10.244.2.0/24 says VTEP 0e:00:00:00:02:0f");
    }

    @Test
    void aMissingNeighbourOnTheVxlanDeviceCannotBeResolvedByArp() {
        Topo t = Topo.vxlan().edit("n1", b -> b.removeIf(o -> o instanceof Neighbor n && n.dev().equals("flannel.1")));
        Hop h = stop(tcp(t).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Kind.NEIGH);
        assertThat(h.text()).contains("no neighbour entry for 10.244.2.0 on flannel.1").contains("without learning");
    }

    @Test
    void aStaleVtepMacIsDroppedAtTheFarVxlanDevice() {
        Topo t = Topo.vxlan().edit("n1", b -> b.removeIf(o -> o instanceof Neighbor || o instanceof FdbEntry)
                .neighbor(Neighbor.permanent("flannel.1", IpAddress.parse("10.244.2.0"), Topo.mac("0e:00:00:00:99:0f")))
                .fdb(FdbEntry.vxlan("flannel.1", Topo.mac("0e:00:00:00:99:0f"), IpAddress.parse(Topo.NODE2))));
        Explanation e = tcp(t);
        assertThat(e.forward().hops()).anyMatch(h -> h.kind() == Kind.FDB && h.status() == Hop.Status.NOTE && h.text().contains("stale entry"));
        Hop h = stop(e.forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n2", Kind.NEIGH);
        assertThat(h.text()).contains("addressed to 0e:00:00:00:99:0f but flannel.1 has MAC 0e:00:00:00:02:0f");
    }

    @Test
    void aForwardDropPolicyOnTheFarNodeStopsTheFlowWithTheChainThatDecided() {
        String json = """
                {"nftables":[{"table":{"family":"ip","name":"filter","handle":1}},
                 {"chain":{"family":"ip","table":"filter","name":"FORWARD","handle":1,"type":"filter","hook":"forward","prio":0,"policy":"drop"}},
                 {"rule":{"family":"ip","table":"filter","chain":"FORWARD","handle":2,"expr":[{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":["established","related"]}},{"accept":null}]}}]}""";
        Topo t = Topo.vxlan().edit("n2", b -> b.nft(Topo.nft(json)));
        Hop h = stop(tcp(t).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n2", Kind.NFT);
        assertThat(h.text()).contains("nft forward drops it").contains("ip filter FORWARD: policy drop");
    }

    @Test
    void aPodMtuAboveTheNodesSideIsDroppedSilentlyByTheReceivingVeth() {
        Topo t = Topo.vxlan().editLink("n1-p1", "eth0", l -> Topo.mtu(l, 1500));
        Hop h = stop(explain(t, Flow.Proto.TCP, 1500).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Kind.MTU);
        assertThat(h.text()).contains("1500-byte frame from eth0 (MTU 1500) is larger than the MTU 1450 of veth1 in n1");
        assertThat(explain(Topo.vxlan().editLink("n1-p1", "eth0", l -> Topo.mtu(l, 1500)), Flow.Proto.TCP, 1400).reachable()).isTrue();
    }

    @Test
    void anUnderlayPortSmallerThanTheEncapsulatedPacketDropsItInTheSwitch() {
        Topo t = Topo.vxlan().editLink("sw", "n2", l -> Topo.mtu(l, 1400));
        Hop h = stop(explain(t, Flow.Proto.TCP, 1450).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("sw", Kind.MTU);
        assertThat(h.text()).contains("1500-byte frame is larger than the MTU 1400 of port n2 of br0");
    }

    @Test
    void aDfPacketLargerThanTheTunnelMtuIsRefusedWithFragmentationNeeded() {
        Topo t = Topo.vxlan().editLink("n1-p1", "eth0", l -> Topo.mtu(l, 1500)).editLink("n1", "veth1", l -> Topo.mtu(l, 1500))
                .editLink("n1", "cni0", l -> Topo.mtu(l, 1500));
        Hop h = stop(explain(t, Flow.Proto.TCP, 1500).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Kind.MTU);
        assertThat(h.text()).contains("1500-byte packet with DF set does not fit the MTU 1450 of flannel.1").contains("fragmentation-needed");
    }

    @Test
    void aDownPodInterfaceShowsAsAPortWithoutCarrierOnTheFarBridge() {
        Topo t = Topo.vxlan().editLink("n2-p1", "eth0", Topo::down).editLink("n2", "veth2", Topo::noCarrier)
                .edit("n2", b -> b.neighbor(new Neighbor("cni0", P2, Optional.of(Topo.mac("0a:00:00:00:02:02")), io.podnet.rtnetlink.NeighborState.STALE)));
        Explanation e = tcp(t);
        Hop h = stop(e.forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n2", Kind.LINK);
        assertThat(h.text()).contains("port veth2 of cni0 has no carrier: its peer eth0 in n2-p1 is down");
        assertThat(e.forward().fix()).contains("podnet lab exec n2-p1 -- ip link set dev eth0 up");
    }

    @Test
    void aDownPodInterfaceWithoutANeighbourEntryFailsArpAndSaysWhichLinkIsDown() {
        Topo t = Topo.vxlan().editLink("n2-p1", "eth0", Topo::down).editLink("n2", "veth2", Topo::noCarrier);
        Explanation e = tcp(t);
        Hop h = stop(e.forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n2", Kind.NEIGH);
        assertThat(h.text()).contains("no neighbour entry for 10.244.2.2 on cni0, and ARP cannot reach its owner: eth0 in n2-p1 is down");
        assertThat(e.forward().fix()).contains("podnet lab exec n2-p1 -- ip link set dev eth0 up");
    }

    @Test
    void forwardingOffOnTheFarNode() {
        Topo t = Topo.vxlan().edit("n2", b -> b.sysctl("net/ipv4/ip_forward", "0"));
        Hop h = stop(tcp(t).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n2", Kind.FORWARDING);
        assertThat(tcp(Topo.vxlan().edit("n2", b -> b.sysctl("net/ipv4/ip_forward", "0"))).forward().fix())
                .contains("podnet lab exec n2 -- sysctl -w net.ipv4.ip_forward=1");
    }

    @Test
    void strictReversePathFilterDropsWhenTheReturnRouteLeavesElsewhere() {
        Topo t = Topo.vxlan().edit("n2", b -> b.sysctl("net/ipv4/conf/all/rp_filter", "1")
                .removeIf(o -> o instanceof Route r && r.dst().toString().equals("10.244.1.0/24"))
                .route(Topo.route("10.244.1.0/24", Topo.NODE1, "eth0", 98)));
        Hop h = stop(tcp(t).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n2", Kind.RP_FILTER);
        assertThat(h.text()).contains("rp_filter=1, strict").contains("leaves via eth0, not flannel.1");
    }

    @Test
    void hostGwRoutesViaThePeerAndArpResolvesItAcrossTheSwitch() {
        Explanation e = tcp(Topo.hostGw());
        assertThat(e.reachable()).as(e.render(true)).isTrue();
        assertThat(e.forward().hops()).anyMatch(h -> h.ns().equals("n1") && h.kind() == Kind.NEIGH && h.text().contains("ARP resolves it to 02:00:00:00:02:01"));
        assertThat(e.forward().hops()).anyMatch(h -> h.ns().equals("sw") && h.kind() == Kind.BRIDGE && h.text().contains("flooded, it reaches port n2"));
    }

    @Test
    void hostGwWithAGatewayNobodyHasFailsArp() {
        Topo t = Topo.hostGw().edit("n1", b -> b.removeIf(o -> o instanceof Route r && r.dst().toString().equals("10.244.2.0/24"))
                .route(Topo.route("10.244.2.0/24", "192.168.200.9", "eth0", 98)));
        Hop h = stop(tcp(t).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Kind.NEIGH);
        assertThat(h.text()).contains("no neighbour entry for 192.168.200.9 on eth0, and nobody on its segment answers ARP");
    }

    @Test
    void udpBackendFollowsTheLeaseThroughTheAgent() {
        Explanation e = explain(Topo.udp(), Flow.Proto.ICMP, 84);
        assertThat(e.reachable()).as(e.render(true)).isTrue();
        assertThat(e.forward().hops()).anyMatch(h -> h.kind() == Kind.LEASE && h.text().contains("lease 10.244.2.0/24 → 192.168.200.2"));
        assertThat(e.forward().hops()).anyMatch(h -> h.ns().equals("n2") && h.kind() == Kind.TUNNEL && h.text().contains("writes the inner packet into flannel0"));
    }

    @Test
    void udpBackendWithoutTheLeaseOrWithoutTheAgent() {
        Topo noLease = Topo.udp();
        noLease.control = new ControlPlane(noLease.control.overlay(), noLease.control.leases().subList(0, 1), java.util.List.of(), java.util.List.of(),
                noLease.control.agentRunning());
        Hop h = stop(explain(noLease, Flow.Proto.ICMP, 84).forward());
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Kind.LEASE);
        Topo noAgent = Topo.udp();
        noAgent.control = new ControlPlane(noAgent.control.overlay(), noAgent.control.leases(), java.util.List.of(), java.util.List.of(),
                java.util.Map.of("n1", true, "n2", false));
        Hop a = stop(explain(noAgent, Flow.Proto.ICMP, 84).forward());
        assertThat(a).extracting(Hop::ns, Hop::kind).containsExactly("n2", Kind.TUNNEL);
        assertThat(a.text()).contains("not running on n2");
    }

    @Test
    void aSourceNobodyHasIsAnError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PathWalker.explain(Topo.vxlan().cluster(),
                        new Flow(IpAddress.parse("10.9.9.9"), P2, Flow.Proto.TCP, 80, 100, true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.9.9.9");
    }

    @Test
    void renderingShowsTheStopAndTheFix() {
        Topo t = Topo.vxlan().edit("n2", b -> b.sysctl("net/ipv4/ip_forward", "0"));
        String out = tcp(t).render(false);
        assertThat(out).contains("forward:").contains("✗ n2").contains("STOPPED at n2 (forwarding)").contains("fix: podnet lab exec n2 -- sysctl");
        assertThat(Optional.of(out)).isPresent();
    }

    @Test
    void unreachedLayersAreNotWalkedAndTheVerdictSaysStopped() {
        Topo t = Topo.vxlan().edit("n1", b -> b.removeIf(o -> o instanceof FdbEntry));
        Explanation e = tcp(t);
        assertThat(e.forward().verdict()).isEqualTo(Verdict.STOPPED);
        assertThat(e.reply()).isEmpty();
        assertThat(e.forward().hops()).noneMatch(h -> h.ns().equals("n2"));
    }
}
