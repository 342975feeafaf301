package io.podnet.cli.explain;

import io.podnet.cli.explain.NsSnapshot.Role;
import io.podnet.cli.explain.nft.NftRuleset;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.OperState;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.RouteScope;
import io.podnet.rtnetlink.RouteType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;

/**
 * Hand-made kernel snapshots shaped like the lab: an underlay switch namespace {@code sw} (bridge br0,
 * 192.168.200.254/24), nodes {@code n1}, {@code n2} (eth0 192.168.200.K/24) with one pod each. Per mode the
 * nodes carry what the agent programs: flannel.1 + neighbour + FDB + onlink route (vxlan), a route via the
 * peer's PublicIP (host-gw), flannel0 TUN + a network route (udp), or Calico's routed wiring (cali veths with
 * proxy ARP, /32 routes, tunl0, blackhole block routes). Tests break one thing with {@link #edit}.
 */
final class Topo {
    static final int UP = 0x1 | 0x2 | 0x10000;
    static final String NODE1 = "192.168.200.1";
    static final String NODE2 = "192.168.200.2";

    final Map<String, List<Link>> links = new LinkedHashMap<>();
    final Map<String, NsSnapshot.Builder> ns = new LinkedHashMap<>();
    ControlPlane control = ControlPlane.NONE;

    static MacAddress mac(String s) { return MacAddress.parse(s); }

    static Link link(int idx, String name, LinkKind kind, int mtu, String mac, OptionalInt master, OptionalInt parent, OptionalInt nsid) {
        return new Link(idx, name, kind, mtu, Optional.ofNullable(mac).map(MacAddress::parse), UP, OperState.UP, master, parent, nsid);
    }

    static Link veth(int idx, String name, int mtu, String mac, int peerIdx, int nsid) {
        return link(idx, name, new LinkKind.Veth("", Optional.empty()), mtu, mac, OptionalInt.empty(), OptionalInt.of(peerIdx), OptionalInt.of(nsid));
    }

    static Link port(Link veth, int bridge) {
        return new Link(veth.index(), veth.name(), veth.kind(), veth.mtu(), veth.mac(), veth.flags(), veth.operState(), OptionalInt.of(bridge),
                veth.parentIndex(), veth.linkNetnsId());
    }

    static Link down(Link l) {
        return new Link(l.index(), l.name(), l.kind(), l.mtu(), l.mac(), l.flags() & ~0x10001, OperState.DOWN, l.masterIndex(), l.parentIndex(), l.linkNetnsId());
    }

    static Link noCarrier(Link l) {
        return new Link(l.index(), l.name(), l.kind(), l.mtu(), l.mac(), l.flags() & ~0x10000, OperState.LOWERLAYERDOWN, l.masterIndex(), l.parentIndex(), l.linkNetnsId());
    }

    static Link mtu(Link l, int mtu) {
        return new Link(l.index(), l.name(), l.kind(), mtu, l.mac(), l.flags(), l.operState(), l.masterIndex(), l.parentIndex(), l.linkNetnsId());
    }

    static Route route(String dst, String via, String dev, int proto) {
        Route r = Route.to(dst).dev(dev).protocol(new RouteProtocol(proto));
        return via == null ? r.scope(RouteScope.LINK) : r.gateway(IpAddress.parse(via));
    }

    private NsSnapshot.Builder b(String name) { return ns.get(name); }

    private void add(String name, Role role, String node) {
        ns.put(name, NsSnapshot.builder(name, role, node).sysctl("net/ipv4/ip_forward", role == Role.POD ? "0" : "1"));
        links.put(name, new ArrayList<>(List.of(link(1, "lo", new LinkKind.Device(), 65536, null, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()))));
    }

    Topo addr(String name, String dev, String cidr) {
        Cidr c = Cidr.parse(cidr);
        b(name).address(Address.of(dev, c));
        b(name).route(Route.to(IpPrefix.host(c.address())).dev(dev).type(RouteType.LOCAL).table(255).protocol(RouteProtocol.KERNEL));
        if (c.length() < 32) b(name).route(Route.to(c.prefix()).dev(dev).scope(RouteScope.LINK).protocol(RouteProtocol.KERNEL));
        return this;
    }

    Topo link(String name, Link l) {
        links.get(name).add(l);
        return this;
    }

    /** Changes a link before the snapshot is built (down, MTU, ...). */
    Topo editLink(String name, String dev, UnaryOperator<Link> f) {
        links.get(name).replaceAll(l -> l.name().equals(dev) ? f.apply(l) : l);
        return this;
    }

    Topo edit(String name, UnaryOperator<NsSnapshot.Builder> f) {
        f.apply(b(name));
        return this;
    }

    private boolean built;

    Cluster cluster() {
        if (built) throw new IllegalStateException("cluster() builds once");
        built = true;
        List<NsSnapshot> out = new ArrayList<>();
        for (var e : ns.entrySet()) out.add(e.getValue().links(links.get(e.getKey())).build());
        return new Cluster(out, control, Optional.of("lab"));
    }

    /** Switch + 2 nodes + 1 pod each; nsids: in sw 1→n1, 2→n2; in a node 0→sw, 1→its pod; in a pod 0→its node. */
    static Topo base(int podMtu) {
        Topo t = new Topo();
        t.add("sw", Role.UNDERLAY, "");
        t.link("sw", link(2, "br0", new LinkKind.Bridge(), 1500, "02:00:00:00:00:fe", OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
        t.addr("sw", "br0", "192.168.200.254/24");
        for (int k = 1; k <= 2; k++) {
            String n = "n" + k;
            String pod = n + "-p1";
            t.link("sw", port(veth(2 + k, n, 1500, "02:00:00:00:0" + k + ":fe", 2, k), 2));
            t.b("sw").peerNamespace(k, n);
            t.add(n, Role.NODE, n);
            t.add(pod, Role.POD, n);
            t.b(n).peerNamespace(0, "sw").peerNamespace(1, pod);
            t.b(pod).peerNamespace(0, n);
            t.link(n, veth(2, "eth0", 1500, "02:00:00:00:0" + k + ":01", 2 + k, 0));
            t.addr(n, "eth0", "192.168.200." + k + "/24");
            t.link(n, link(4, "cni0", new LinkKind.Bridge(), podMtu, "02:00:00:00:0" + k + ":c0", OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
            t.addr(n, "cni0", "10.244." + k + ".1/24");
            t.link(n, port(veth(5, "veth" + k, podMtu, "02:00:00:00:0" + k + ":05", 2, 1), 4));
            t.link(pod, veth(2, "eth0", podMtu, "0a:00:00:00:0" + k + ":02", 5, 0));
            t.addr(pod, "eth0", "10.244." + k + ".2/24");
            t.b(pod).route(route("0.0.0.0/0", "10.244." + k + ".1", "eth0", 3));
        }
        return t;
    }

    static Topo vxlan() {
        Topo t = base(1450);
        for (int k = 1; k <= 2; k++) {
            int o = 3 - k;
            String n = "n" + k;
            t.link(n, link(3, "flannel.1", new LinkKind.Vxlan(1, Optional.of(IpAddress.parse("192.168.200." + k)), 8472, false, Optional.of("eth0"),
                    OptionalInt.empty()), 1450, "0e:00:00:00:0" + k + ":0f", OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
            t.addr(n, "flannel.1", "10.244." + k + ".0/32");
            t.b(n).route(route("10.244." + o + ".0/24", "10.244." + o + ".0", "flannel.1", 98).withOnlink());
            t.b(n).neighbor(Neighbor.permanent("flannel.1", IpAddress.parse("10.244." + o + ".0"), mac("0e:00:00:00:0" + o + ":0f")));
            t.b(n).fdb(FdbEntry.vxlan("flannel.1", mac("0e:00:00:00:0" + o + ":0f"), IpAddress.parse("192.168.200." + o)));
        }
        t.control = overlay("vxlan", 8472, true);
        return t;
    }

    static Topo hostGw() {
        Topo t = base(1500);
        t.b("n1").route(route("10.244.2.0/24", NODE2, "eth0", 98));
        t.b("n2").route(route("10.244.1.0/24", NODE1, "eth0", 98));
        t.control = overlay("host-gw", 0, false);
        return t;
    }

    static Topo udp() {
        Topo t = base(1472);
        for (int k = 1; k <= 2; k++) {
            String n = "n" + k;
            t.link(n, new Link(3, "flannel0", new LinkKind.Tuntap(LinkKind.Tuntap.Mode.TUN), 1472, Optional.empty(), UP | 0x80, OperState.UNKNOWN,
                    OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
            t.addr(n, "flannel0", "10.244." + k + ".0/32");
            t.b(n).route(route("10.244.0.0/16", null, "flannel0", 98));
        }
        t.control = overlay("udp", 8285, false);
        return t;
    }

    static ControlPlane overlay(String backend, int port, boolean vtep) {
        List<ControlPlane.Lease> leases = List.of(
                new ControlPlane.Lease(IpPrefix.parse("10.244.1.0/24"), IpAddress.parse(NODE1), backend, vtep ? Optional.of(mac("0e:00:00:00:01:0f")) : Optional.empty()),
                new ControlPlane.Lease(IpPrefix.parse("10.244.2.0/24"), IpAddress.parse(NODE2), backend, vtep ? Optional.of(mac("0e:00:00:00:02:0f")) : Optional.empty()));
        return new ControlPlane(Optional.of(new ControlPlane.OverlayNetwork(IpPrefix.parse("10.244.0.0/16"), backend, port, 1)), leases, List.of(),
                List.of(), Map.of("n1", true, "n2", true));
    }

    static NftRuleset nft(String json) {
        try {
            return NftRuleset.parse(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
