package io.podnet.cli.explain;

import io.podnet.cli.explain.Hop.Kind;
import io.podnet.cli.explain.Hop.Status;
import io.podnet.cli.explain.PathWalker.Next;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.NeighborState;
import io.podnet.rtnetlink.Route;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Layer 2 of a walk: neighbour resolution (the entry in the table, or what ARP would find: an owner of the
 * address on the segment, or a proxy-ARP answer as Calico's {@code cali*} host ends give for 169.254.1.1),
 * veth peers across namespaces ({@code ip netns list-id} ids), and bridges (FDB lookup or flooding to the port
 * behind which the MAC lives, port state and MTU).
 */
final class L2 {
    static final MacAddress BROADCAST = MacAddress.parse("ff:ff:ff:ff:ff:ff");
    private static final MacAddress ZERO = MacAddress.parse("00:00:00:00:00:00");
    private static final int IFF_NOARP = 0x80;

    private final PathWalker w;

    L2(PathWalker w) {
        this.w = w;
    }

    /** Devices that address frames by MAC (not TUN/ipip/loopback). */
    static boolean hasMacs(Link l) {
        return !(l.kind() instanceof LinkKind.Tuntap) && !(l.kind() instanceof LinkKind.Ipip) && !l.name().equals("lo")
                && (l.flags() & IFF_NOARP) == 0;
    }

    /** A link and the namespace it is in. */
    record End(NsSnapshot ns, Link link) {}

    /** The other end of a veth: in the namespace its nsid names (or this one), the link with its peer index. */
    Optional<End> peer(NsSnapshot ns, Link l) {
        if (!(l.kind() instanceof LinkKind.Veth) || l.parentIndex().isEmpty()) return Optional.empty();
        Optional<NsSnapshot> other = l.linkNetnsId().isPresent()
                ? Optional.ofNullable(ns.peerNamespaces().get(l.linkNetnsId().getAsInt())).flatMap(w.cluster::ns)
                : Optional.of(ns);
        return other.flatMap(o -> o.link(l.parentIndex().getAsInt()).map(p -> new End(o, p)));
    }

    String noCarrierReason(NsSnapshot ns, Link out) {
        return switch (out.kind()) {
            case LinkKind.Veth _ -> peer(ns, out).map(p -> "its peer " + p.link().name() + " in " + p.ns().name() + (p.link().isUp() ? "" : " is down"))
                    .orElse("its peer (in a namespace explain has not read) is down");
            case LinkKind.Tuntap _ -> "no process holds the TUN device open (for the udp backend: the agent)";
            case LinkKind.Bridge _ -> "none of its ports is up (" + String.join(", ", ports(ns, out).stream()
                    .map(p -> p.name() + (p.isUp() ? " has no carrier" : " is down")).toList()) + ")";
            default -> "the lower device is down";
        };
    }

    // ---- neighbours ----

    /**
     * The MAC for {@code ip} on {@code dev}; or the stop that explains why there is none; or neither, when ARP
     * would go beyond what explain read ({@code hidden}: a device without a visible peer, a peer namespace not read).
     */
    record Resolved(Optional<MacAddress> mac, Next stop, boolean hidden) {
        Resolved(Optional<MacAddress> mac, Next stop) { this(mac, stop, false); }
    }

    Resolved neighbor(NsSnapshot ns, Link dev, IpAddress ip) {
        if (!hasMacs(dev)) return new Resolved(Optional.empty(), null);
        Optional<Neighbor> n = ns.kernel().neighbors().stream().filter(x -> x.dev().equals(dev.name()) && x.ip().equals(ip)).findFirst();
        if (n.isPresent() && n.get().mac().isPresent() && n.get().state() != NeighborState.FAILED && n.get().state() != NeighborState.INCOMPLETE) {
            w.hop(ns, Kind.NEIGH, Status.OK, ip + " lladdr " + n.get().mac().get() + " on " + dev.name() + " (" + n.get().state().name().toLowerCase() + ")");
            return new Resolved(n.get().mac(), null);
        }
        if (n.isPresent() && n.get().state() == NeighborState.PERMANENT) {
            return new Resolved(Optional.empty(), w.stop(ns, Kind.NEIGH, "the permanent neighbour entry for " + ip + " on " + dev.name() + " has no MAC", null));
        }
        Optional<Answer> arp = arp(ns, dev, ip);
        if (arp.isPresent()) {
            Answer a = arp.get();
            String state = n.map(x -> " (the entry is " + x.state().name().toLowerCase() + ")").orElse("");
            w.hop(ns, Kind.NEIGH, Status.OK, "no usable neighbour entry for " + ip + " on " + dev.name() + state + ": ARP resolves it to "
                    + a.mac + " (" + (a.proxy ? "proxy ARP by " : "answered by ") + a.by.link().name() + " in " + a.by.ns().name() + ")");
            return new Resolved(Optional.of(a.mac), null);
        }
        String why = n.map(x -> "the neighbour entry for " + ip + " on " + dev.name() + " is " + x.state().name().toLowerCase())
                .orElse("no neighbour entry for " + ip + " on " + dev.name());
        List<End> down = new ArrayList<>();
        int hidden = stations(ns, dev, down).hidden;
        Optional<End> blocked = down.stream().filter(e -> e.ns().owns(ip)).findFirst();
        if (blocked.isPresent()) {
            End b = blocked.get();
            return new Resolved(Optional.empty(), w.stop(ns, Kind.NEIGH, why + ", and ARP cannot reach its owner: " + b.link().name() + " in "
                    + b.ns().name() + " is down", w.in(b.ns(), "ip link set dev " + b.link().name() + " up")));
        }
        if (hidden > 0) return new Resolved(Optional.empty(), null, true);
        String extra = dev.kind() instanceof LinkKind.Vxlan v && !v.learning()
                ? ", and ARP cannot resolve it: " + dev.name() + " is a VXLAN device without learning and without a flood "
                        + "(00:00:00:00:00:00) FDB entry, so ARP requests go nowhere (the agent programs a permanent entry per remote node)"
                : ", and nobody on its segment answers ARP for it";
        String fix = ns.role() == NsSnapshot.Role.NODE && w.cluster.control().overlay().isPresent() ? w.cluster.restartAgent(ns.node()) : null;
        return new Resolved(Optional.empty(), w.stop(ns, Kind.NEIGH, why + extra, fix));
    }

    private record Answer(MacAddress mac, End by, boolean proxy) {}

    /** What an ARP request for {@code ip} sent on {@code dev} would get back. */
    private Optional<Answer> arp(NsSnapshot ns, Link dev, IpAddress ip) {
        if (!ip.isV4()) return Optional.empty(); // NDP: same idea; not modelled yet
        for (End s : stations(ns, dev, new ArrayList<>()).ends) {
            boolean owner = s.ns().owns(ip) && (s.ns().sysctlInt("net/ipv4/conf/" + s.link().name() + "/arp_ignore", 0) == 0
                    || s.ns().addresses(s.link().name()).stream().anyMatch(a -> a.cidr().address().equals(ip)));
            if (owner && s.link().mac().isPresent()) return Optional.of(new Answer(s.link().mac().get(), s, false));
            boolean proxy = s.ns().sysctlInt("net/ipv4/conf/" + s.link().name() + "/proxy_arp", 0) == 1
                    || s.ns().sysctlInt("net/ipv4/conf/all/proxy_arp", 0) == 1;
            if (proxy && s.link().mac().isPresent()) {
                Optional<Route> r = Routing.lookup(s.ns(), ip, null, s.link().name(), 0).route();
                if (r.isPresent() && r.get().dev().isPresent() && !r.get().dev().get().equals(s.link().name())) {
                    return Optional.of(new Answer(s.link().mac().get(), s, true));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Every interface an ARP broadcast sent on {@code dev} reaches (through veths and bridges, and VXLAN flood
     * entries); interfaces it would reach but that are down go to {@code down}; {@code hidden} counts the
     * ways out of what explain read (a device or veth whose other side is not in the snapshot).
     */
    private Reach stations(NsSnapshot ns, Link dev, List<End> down) {
        List<End> out = new ArrayList<>();
        int[] hidden = {0};
        Set<String> seen = new HashSet<>();
        Deque<End> todo = new ArrayDeque<>();
        seen.add(ns.name() + "/" + dev.index());
        switch (dev.kind()) {
            case LinkKind.Bridge _ -> ports(ns, dev).forEach(p -> follow(ns, p, todo, hidden));
            case LinkKind.Vxlan v -> floodTargets(ns, dev, v, hidden).forEach(todo::add);
            default -> follow(ns, dev, todo, hidden);
        }
        while (!todo.isEmpty()) {
            End e = todo.pop();
            if (!seen.add(e.ns().name() + "/" + e.link().index())) continue;
            if (!e.link().isUp()) {
                down.add(e);
                continue;
            }
            Optional<Link> master = e.link().masterIndex().isPresent() ? e.ns().link(e.link().masterIndex().getAsInt()) : Optional.empty();
            if (master.isPresent() && master.get().kind() instanceof LinkKind.Bridge) {
                if (seen.add(e.ns().name() + "/" + master.get().index())) out.add(new End(e.ns(), master.get()));
                for (Link p : ports(e.ns(), master.get())) {
                    if (p.index() != e.link().index()) follow(e.ns(), p, todo, hidden);
                }
            } else {
                out.add(e);
            }
        }
        return new Reach(out, hidden[0]);
    }

    private record Reach(List<End> ends, int hidden) {}

    private void follow(NsSnapshot ns, Link l, Deque<End> todo, int[] hidden) {
        Optional<End> p = peer(ns, l);
        if (p.isPresent()) {
            todo.add(p.get());
        } else if (!(l.kind() instanceof LinkKind.Bridge)) {
            hidden[0]++;
        }
    }

    private List<End> floodTargets(NsSnapshot ns, Link dev, LinkKind.Vxlan v, int[] hidden) {
        List<End> out = new ArrayList<>();
        for (FdbEntry e : ns.kernel().fdb()) {
            if (!e.dev().equals(dev.name()) || !e.mac().equals(ZERO) || e.dst().isEmpty()) continue;
            Optional<NsSnapshot> far = w.cluster.ownerOf(e.dst().get());
            if (far.isEmpty()) hidden[0]++;
            far.ifPresent(f -> f.links().stream().filter(l -> l.kind() instanceof LinkKind.Vxlan fv && fv.vni() == v.vni()).forEach(l -> out.add(new End(f, l))));
        }
        return out;
    }

    static List<Link> ports(NsSnapshot ns, Link bridge) {
        return ns.links().stream().filter(l -> l.masterIndex().isPresent() && l.masterIndex().getAsInt() == bridge.index()).toList();
    }

    // ---- wires and bridges ----

    /** Out of a veth (to its peer) or a plain device (across the underlay). */
    Next wire(NsSnapshot ns, Link out, IpAddress nexthop, Packet p) {
        Resolved r = neighbor(ns, out, nexthop);
        if (r.stop != null) return r.stop;
        if (r.hidden) return beyond(ns, out, nexthop);
        Optional<End> peer = peer(ns, out);
        if (peer.isEmpty()) {
            if (out.kind() instanceof LinkKind.Veth) {
                return w.end(ns, Kind.LINK, Explanation.Verdict.LEFT, "leaves " + ns.name() + " through " + out.name() + " into a namespace explain has not read");
            }
            Optional<NsSnapshot> far = w.cluster.ownerOf(nexthop).filter(n -> n.role() != NsSnapshot.Role.POD);
            Optional<Link> at = far.flatMap(f -> f.kernel().addresses().stream().filter(a -> a.cidr().address().equals(nexthop)).findFirst()
                    .flatMap(a -> f.link(a.dev())));
            if (at.isEmpty()) {
                return w.end(ns, Kind.UNDERLAY, Explanation.Verdict.LEFT, "leaves " + ns.name() + " through " + out.name() + " towards " + nexthop
                        + " (the underlay and the far side are not visible from here: run explain there)");
            }
            w.hop(ns, Kind.UNDERLAY, Status.NOTE, "across the underlay from " + out.name() + " to " + nexthop + " on " + far.get().name() + " (not inspected)");
            return new Next.Arrive(far.get(), at.get(), p, at.get().mac().orElse(null));
        }
        return deliverTo(ns, out, peer.get(), p, r.mac.orElse(null));
    }

    private Next deliverTo(NsSnapshot ns, Link out, End peer, Packet p, MacAddress mac) {
        if (p.size() > peer.link().mtu()) {
            return w.stop(peer.ns(), Kind.MTU, "a " + p.size() + "-byte frame from " + out.name() + " (MTU " + out.mtu() + ") is larger than the MTU "
                    + peer.link().mtu() + " of " + peer.link().name() + " in " + peer.ns().name() + ": the receiving end drops it silently",
                    w.in(peer.ns(), "ip link set dev " + peer.link().name() + " mtu " + out.mtu()) + " (or lower " + out.name() + "'s MTU: both ends must match)");
        }
        w.hop(ns, Kind.LINK, Status.OK, out.name() + " (" + kindName(out) + ", mtu " + out.mtu() + ") → " + peer.link().name() + " in " + peer.ns().name());
        return new Next.Arrive(peer.ns(), peer.link(), p, mac);
    }

    /** The packet leaves what explain read: the next hop is on a segment whose far side is not in the snapshot. */
    Next beyond(NsSnapshot ns, Link out, IpAddress nexthop) {
        return w.end(ns, Kind.UNDERLAY, Explanation.Verdict.LEFT, "leaves " + ns.name() + " through " + out.name() + " towards " + nexthop
                + " (no neighbour entry yet; the far side is not visible from here: run explain there)");
    }

    /** The node sends a packet out of a bridge device (towards a pod). */
    Next viaBridge(NsSnapshot ns, Link bridge, IpAddress nexthop, Packet p) {
        Resolved r = neighbor(ns, bridge, nexthop);
        if (r.stop != null) return r.stop;
        if (r.hidden) return beyond(ns, bridge, nexthop);
        return forward(ns, bridge, p, r.mac.orElse(BROADCAST), null);
    }

    /** A frame enters a bridge through one of its ports. */
    Next bridgeIngress(NsSnapshot ns, Link bridge, Link port, Packet p, MacAddress mac) {
        boolean local = mac == null || bridge.mac().map(mac::equals).orElse(false)
                || ports(ns, bridge).stream().anyMatch(x -> x.mac().map(mac::equals).orElse(false));
        if (local) {
            w.hop(ns, Kind.BRIDGE, Status.OK, port.name() + " is a port of " + bridge.name() + "; the frame is for " + bridge.name() + " itself (routed by " + ns.name() + ")");
            return w.input(ns, bridge, p);
        }
        w.hop(ns, Kind.BRIDGE, Status.OK, port.name() + " is a port of " + bridge.name() + "; switching to " + mac);
        return forward(ns, bridge, p, mac, port);
    }

    private Next forward(NsSnapshot ns, Link bridge, Packet p, MacAddress mac, Link ingress) {
        List<Link> ports = ports(ns, bridge);
        Optional<Link> port = ns.kernel().fdb().stream()
                .filter(e -> !e.self() && e.mac().equals(mac)).map(e -> ns.link(e.dev())).flatMap(Optional::stream)
                .filter(ports::contains).findFirst();
        if (port.isPresent()) {
            w.hop(ns, Kind.FDB, Status.OK, mac + " is behind port " + port.get().name() + " of " + bridge.name() + " (bridge FDB)");
        } else {
            port = ports.stream().filter(x -> ingress == null || x.index() != ingress.index())
                    .filter(x -> peer(ns, x).flatMap(e -> e.link().mac()).map(mac::equals).orElse(false)).findFirst();
            if (port.isEmpty()) {
                return w.stop(ns, Kind.BRIDGE, "no port of " + bridge.name() + " leads to " + mac + " (not in the bridge FDB, and no port's peer has it)", null);
            }
            w.hop(ns, Kind.BRIDGE, Status.OK, mac + " is not in " + bridge.name() + "'s FDB yet: flooded, it reaches port " + port.get().name());
        }
        Link out = port.get();
        if (!out.isUp()) return w.stop(ns, Kind.LINK, "port " + out.name() + " of " + bridge.name() + " is down", w.in(ns, "ip link set dev " + out.name() + " up"));
        Optional<End> peer = peer(ns, out);
        if (!out.hasCarrier()) {
            String fix = peer.map(e -> w.in(e.ns(), "ip link set dev " + e.link().name() + " up")).orElse(null);
            return w.stop(ns, Kind.LINK, "port " + out.name() + " of " + bridge.name() + " has no carrier: " + noCarrierReason(ns, out), fix);
        }
        if (p.size() > out.mtu()) {
            return w.stop(ns, Kind.MTU, "a " + p.size() + "-byte frame is larger than the MTU " + out.mtu() + " of port " + out.name() + " of "
                    + bridge.name() + ": the bridge drops it silently", w.in(ns, "ip link set dev " + out.name() + " mtu " + p.size()));
        }
        if (peer.isEmpty()) return w.end(ns, Kind.LINK, Explanation.Verdict.LEFT, "leaves through port " + out.name() + " into a namespace explain has not read");
        return deliverTo(ns, out, peer.get(), p, mac);
    }

    private static String kindName(Link l) {
        String k = l.kind().kindName();
        return k.isEmpty() ? "device" : k;
    }
}
