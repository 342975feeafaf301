package io.podnet.cli.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cli.explain.Hop.Kind;
import io.podnet.cli.explain.NsSnapshot.Role;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.OperState;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.RouteType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The calico-style routed mode needs no special case in the walker: {@code cali*} veths whose host end answers
 * ARP for 169.254.1.1 by proxy, /32 device routes, BGP-learned block routes over {@code tunl0} (IP-in-IP,
 * onlink via the peer's node IP), blackhole routes for a node's own blocks; IPAM blocks and BGP sessions from
 * the control plane annotate the route hops.
 */
class CalicoModeTest {
    static final String CALI_MAC = "ee:ee:ee:ee:ee:ee";

    static Cluster routed(boolean ipip) {
        List<NsSnapshot> all = new ArrayList<>();
        NsSnapshot.Builder sw = NsSnapshot.builder("sw", Role.UNDERLAY, "");
        sw.link(Topo.link(2, "br0", new LinkKind.Bridge(), 1500, "02:00:00:00:00:fe", OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
        for (int k = 1; k <= 2; k++) {
            int o = 3 - k;
            String n = "n" + k;
            String pod = n + "-p1";
            String podIp = k == 1 ? "10.244.3.5" : "10.244.4.7";
            String block = k == 1 ? "10.244.3.0/26" : "10.244.4.0/26";
            String remoteBlock = k == 1 ? "10.244.4.0/26" : "10.244.3.0/26";
            sw.link(Topo.port(Topo.veth(2 + k, n, 1500, "02:00:00:00:0" + k + ":fe", 2, k), 2)).peerNamespace(k, n);
            NsSnapshot.Builder node = NsSnapshot.builder(n, Role.NODE, n).sysctl("net/ipv4/ip_forward", "1")
                    .sysctl("net/ipv4/conf/cali" + k + "/proxy_arp", "1").peerNamespace(0, "sw").peerNamespace(1, pod);
            node.link(Topo.veth(2, "eth0", 1500, "02:00:00:00:0" + k + ":01", 2 + k, 0));
            node.link(Topo.veth(5, "cali" + k, 1500, CALI_MAC, 2, 1));
            node.address(io.podnet.rtnetlink.Address.of("eth0", "192.168.200." + k + "/24"));
            node.route(Topo.route("192.168.200.0/24", null, "eth0", 2));
            node.route(Topo.route("0.0.0.0/0", "192.168.200.254", "eth0", 3));
            node.route(Topo.route(podIp + "/32", null, "cali" + k, 3));
            node.route(Route.to(block).type(RouteType.BLACKHOLE).protocol(RouteProtocol.PODNET));
            if (ipip) {
                node.link(new Link(6, "tunl0", new LinkKind.Ipip(Optional.empty(), Optional.empty(), 0, Optional.empty()), 1480, Optional.empty(),
                        Topo.UP | 0x80, OperState.UNKNOWN, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
                node.route(Topo.route(remoteBlock, "192.168.200." + o, "tunl0", 12).withOnlink());
            } else {
                node.route(Topo.route(remoteBlock, "192.168.200." + o, "eth0", 12));
            }
            all.add(node.build());
            all.add(NsSnapshot.builder(pod, Role.POD, n).peerNamespace(0, n)
                    .link(Topo.veth(2, "eth0", 1500, "0a:00:00:00:0" + k + ":02", 5, 0))
                    .address(io.podnet.rtnetlink.Address.of("eth0", podIp + "/32"))
                    .route(Topo.route("169.254.1.1/32", null, "eth0", 3))
                    .route(Topo.route("0.0.0.0/0", "169.254.1.1", "eth0", 3)).build());
        }
        sw.address(io.podnet.rtnetlink.Address.of("br0", "192.168.200.254/24"));
        all.add(sw.build());
        ControlPlane cp = new ControlPlane(Optional.empty(), List.of(),
                List.of(new ControlPlane.Block(IpPrefix.parse("10.244.3.0/26"), "n1"), new ControlPlane.Block(IpPrefix.parse("10.244.4.0/26"), "n2")),
                List.of(new ControlPlane.BgpSession("n1", IpAddress.parse("192.168.200.2"), "Established"),
                        new ControlPlane.BgpSession("n2", IpAddress.parse("192.168.200.1"), "Established")),
                Map.of());
        return new Cluster(all, cp, Optional.of("lab"));
    }

    static Flow flow(String src, String dst) {
        return new Flow(IpAddress.parse(src), IpAddress.parse(dst), Flow.Proto.TCP, 80, 1400, true);
    }

    @Test
    void ipipPodToPodIsReachableThroughProxyArpAndBgpRoutes() {
        Explanation e = PathWalker.explain(routed(true), flow("10.244.3.5", "10.244.4.7"));
        assertThat(e.reachable()).as(e.render(true)).isTrue();
        assertThat(e.forward().hops()).anyMatch(h -> h.ns().equals("n1-p1") && h.kind() == Kind.NEIGH
                && h.text().contains("ARP resolves it to ee:ee:ee:ee:ee:ee (proxy ARP by cali1 in n1)"));
        assertThat(e.forward().hops()).anyMatch(h -> h.ns().equals("n1") && h.kind() == Kind.ROUTE && h.text().contains("via 192.168.200.2 dev tunl0 onlink")
                && h.text().contains("proto 12 = bird") && h.text().contains("IPAM block 10.244.4.0/26 is affine to n2")
                && h.text().contains("BGP session with 192.168.200.2 Established"));
        assertThat(e.forward().hops()).anyMatch(h -> h.kind() == Kind.TUNNEL && h.text().contains("IP-in-IP on tunl0: 1400 + 20 bytes to 192.168.200.2"));
        assertThat(e.forward().hops()).anyMatch(h -> h.ns().equals("n2") && h.text().contains("decapsulated by tunl0"));
    }

    @Test
    void plainRoutedModeNeedsNoTunnel() {
        Explanation e = PathWalker.explain(routed(false), flow("10.244.3.5", "10.244.4.7"));
        assertThat(e.reachable()).as(e.render(true)).isTrue();
        assertThat(e.forward().hops()).noneMatch(h -> h.kind() == Kind.TUNNEL);
    }

    @Test
    void anAddressOfALocalBlockWithoutAPodHitsTheBlackholeRoute() {
        Explanation e = PathWalker.explain(routed(true), flow("10.244.4.7", "10.244.3.9"));
        Hop h = e.forward().stop().orElseThrow();
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Kind.ROUTE);
        assertThat(h.text()).contains("blackhole 10.244.3.0/26").contains("proto 98 = podnet").contains("IPAM block 10.244.3.0/26 is affine to n1")
                .contains("discards silently");
    }

    @Test
    void withoutProxyArpThePodCannotResolveItsLinkLocalGateway() {
        Cluster c = routed(true);
        List<NsSnapshot> ns = new ArrayList<>();
        for (NsSnapshot s : c.namespaces()) {
            if (s.name().equals("n1")) {
                java.util.Map<String, String> sys = new java.util.HashMap<>(s.sysctls());
                sys.remove("net/ipv4/conf/cali1/proxy_arp");
                s = new NsSnapshot(s.name(), s.role(), s.node(), s.kernel(), sys, s.peerNamespaces(), s.nft());
            }
            ns.add(s);
        }
        Hop h = PathWalker.explain(new Cluster(ns, c.control(), c.lab()), flow("10.244.3.5", "10.244.4.7")).forward().stop().orElseThrow();
        assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1-p1", Kind.NEIGH);
        assertThat(h.text()).contains("no neighbour entry for 169.254.1.1 on eth0, and nobody on its segment answers ARP");
    }
}
