package io.podnet.cli.explain;

import io.podnet.cli.explain.Hop.Kind;
import io.podnet.cli.explain.Hop.Status;
import io.podnet.cli.explain.PathWalker.Next;
import io.podnet.cli.explain.nft.PacketView;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import java.util.List;
import java.util.Optional;

/**
 * Tunnels of a walk: encapsulation into an outer packet that is then routed like any other (VXLAN: neighbour →
 * FDB → VTEP, +50 bytes; IP-in-IP: the onlink gateway is the remote end, +20; flannel's udp backend: the agent's
 * userspace route is the lease, +28), and decapsulation where the outer packet is delivered (a VXLAN device
 * with the packet's port and VNI, an ipip device, the agent behind the TUN device).
 */
final class Tunnels {
    /** The kernel's VXLAN port when a device has none (the pre-IANA Linux default, which flannel uses). */
    static final int LINUX_VXLAN_PORT = 8472;
    static final int VXLAN_OVERHEAD = 50;
    static final int IPIP_OVERHEAD = 20;
    static final int UDP_OVERHEAD = 28;
    private static final MacAddress ZERO = MacAddress.parse("00:00:00:00:00:00");

    private final PathWalker w;

    Tunnels(PathWalker w) {
        this.w = w;
    }

    static int port(LinkKind.Vxlan v) { return v.port() == 0 ? LINUX_VXLAN_PORT : v.port(); }

    Next vxlan(NsSnapshot ns, Link dev, LinkKind.Vxlan v, IpAddress nexthop, Packet p) {
        L2 l2 = new L2(w);
        L2.Resolved r = l2.neighbor(ns, dev, nexthop);
        if (r.stop() != null) return r.stop();
        if (r.hidden()) return l2.beyond(ns, dev, nexthop);
        MacAddress mac = r.mac().orElseThrow();
        List<FdbEntry> fdb = ns.kernel().fdb().stream().filter(e -> e.dev().equals(dev.name()) && e.dst().isPresent()).toList();
        Optional<FdbEntry> entry = fdb.stream().filter(e -> e.mac().equals(mac)).findFirst()
                .or(() -> fdb.stream().filter(e -> e.mac().equals(ZERO)).findFirst());
        if (entry.isEmpty()) {
            String lease = w.cluster.control().leaseFor(p.dst()).map(l -> " (the lease " + l.subnet() + " says VTEP "
                    + l.vtepMac().map(Object::toString).orElse("?") + " at " + l.publicIp() + ")").orElse("");
            String fix = ns.role() == NsSnapshot.Role.NODE && w.cluster.control().overlay().isPresent() ? w.cluster.restartAgent(ns.node()) : null;
            return w.stop(ns, Kind.FDB, "no FDB entry for " + mac + " on " + dev.name() + ": the frame has no VTEP to go to and is dropped" + lease, fix);
        }
        IpAddress vtep = entry.get().dst().get();
        String check = w.cluster.control().leaseOf(vtep).map(l -> l.vtepMac().filter(m -> !m.equals(mac))
                        .map(m -> "; the lease of " + vtep + " (" + l.subnet() + ") says VtepMAC " + m + ", not " + mac + " (stale entry)").orElse(""))
                .orElse(w.cluster.control().leases().isEmpty() ? "" : "; no lease has PublicIP " + vtep + " (stale entry?)");
        w.hop(ns, Kind.FDB, check.isEmpty() ? Status.OK : Status.NOTE, mac + " dev " + dev.name() + " dst " + vtep
                + (entry.get().mac().equals(ZERO) ? " (flood entry)" : "") + check);
        Packet outer = Packet.outer(v.local().orElse(null), vtep, PacketView.UDP, port(v), VXLAN_OVERHEAD, false, p, mac, v.vni());
        w.hop(ns, Kind.TUNNEL, Status.OK, "VXLAN vni " + v.vni() + ": " + p.size() + " + " + VXLAN_OVERHEAD + " bytes in UDP to " + vtep + ":" + port(v));
        return new Next.Originate(ns, outer);
    }

    Next ipip(NsSnapshot ns, Link dev, LinkKind.Ipip t, Route route, Packet p) {
        IpAddress remote = t.remote().orElse(route.gateway().orElse(null));
        if (remote == null) return w.stop(ns, Kind.TUNNEL, "the route over " + dev.name() + " has no gateway and the tunnel no remote: no endpoint", null);
        Packet outer = Packet.outer(t.local().orElse(null), remote, PacketView.IPIP, 0, IPIP_OVERHEAD, p.df(), p, null, 0);
        w.hop(ns, Kind.TUNNEL, Status.OK, "IP-in-IP on " + dev.name() + ": " + p.size() + " + " + IPIP_OVERHEAD + " bytes to " + remote);
        return new Next.Originate(ns, outer);
    }

    /** A TUN device: in the udp backend the node's agent reads it and sends by the lease that covers the destination. */
    Next tun(NsSnapshot ns, Link dev, Packet p) {
        ControlPlane cp = w.cluster.control();
        if (cp.overlay().isEmpty() || !cp.overlay().get().backend().equals("udp")) {
            return w.end(ns, Kind.TUNNEL, Explanation.Verdict.UNKNOWN, dev.name() + " is a TUN device: its packets go to whichever process holds it");
        }
        if (!cp.agentRunning(ns.node()).orElse(true)) {
            return w.stop(ns, Kind.TUNNEL, dev.name() + " is read by the podnet agent (udp backend), which is not running on " + ns.node(),
                    w.cluster.restartAgent(ns.node()));
        }
        Optional<ControlPlane.Lease> lease = cp.leaseFor(p.dst());
        if (lease.isEmpty()) {
            return w.stop(ns, Kind.LEASE, "no lease in etcd covers " + p.dst() + ": the udp backend has no route for it (it answers ICMP net unreachable)", null);
        }
        int port = cp.overlay().get().port();
        w.hop(ns, Kind.LEASE, Status.OK, "the agent's route: lease " + lease.get().subnet() + " → " + lease.get().publicIp());
        Packet outer = Packet.outer(null, lease.get().publicIp(), PacketView.UDP, port, UDP_OVERHEAD, false, p, null, 0);
        w.hop(ns, Kind.TUNNEL, Status.OK, "udp backend: " + p.size() + " + " + UDP_OVERHEAD + " bytes in UDP to " + lease.get().publicIp() + ":" + port);
        return new Next.Originate(ns, outer);
    }

    /** The outer packet of a tunnel arrived here: hand its inner packet to the tunnel device. */
    Next decapsulate(NsSnapshot ns, Link in, Packet p) {
        if (p.proto() == PacketView.IPIP) {
            Optional<Link> ipip = ns.links().stream().filter(l -> l.kind() instanceof LinkKind.Ipip).findFirst();
            if (ipip.isEmpty()) return w.stop(ns, Kind.TUNNEL, "no ipip device on " + ns.name() + ": the IP-in-IP packet is dropped", null);
            w.hop(ns, Kind.TUNNEL, Status.OK, "decapsulated by " + ipip.get().name());
            return new Next.Arrive(ns, ipip.get(), p.inner(), null);
        }
        Optional<Link> vx = ns.links().stream().filter(l -> l.kind() instanceof LinkKind.Vxlan v && port(v) == p.dport() && v.vni() == p.vni()).findFirst();
        if (p.proto() == PacketView.UDP && vx.isPresent() && p.innerMac() != null) {
            w.hop(ns, Kind.TUNNEL, Status.OK, "udp/" + p.dport() + " vni " + p.vni() + " is " + vx.get().name() + ": decapsulated");
            return new Next.Arrive(ns, vx.get(), p.inner(), p.innerMac());
        }
        ControlPlane cp = w.cluster.control();
        if (p.proto() == PacketView.UDP && cp.overlay().filter(o -> o.backend().equals("udp") && o.port() == p.dport()).isPresent()) {
            Optional<Link> tun = ns.links().stream().filter(l -> l.kind() instanceof LinkKind.Tuntap).findFirst();
            if (!cp.agentRunning(ns.node()).orElse(true)) {
                return w.stop(ns, Kind.TUNNEL, "udp/" + p.dport() + " is served by the podnet agent (udp backend), which is not running on " + ns.node(),
                        w.cluster.restartAgent(ns.node()));
            }
            if (tun.isEmpty()) return w.stop(ns, Kind.TUNNEL, "no TUN device on " + ns.name() + " for the udp backend", null);
            w.hop(ns, Kind.TUNNEL, Status.OK, "the agent receives udp/" + p.dport() + " and writes the inner packet into " + tun.get().name());
            return new Next.Arrive(ns, tun.get(), p.inner(), null);
        }
        String have = ns.links().stream().filter(l -> l.kind() instanceof LinkKind.Vxlan).map(l -> {
            LinkKind.Vxlan v = (LinkKind.Vxlan) l.kind();
            return l.name() + " (vni " + v.vni() + ", udp/" + port(v) + ")";
        }).toList().toString();
        return w.stop(ns, Kind.TUNNEL, "nothing on " + ns.name() + " takes udp/" + p.dport() + (p.innerMac() != null ? " vni " + p.vni() : "")
                + ": the tunnel packet is dropped (VXLAN devices here: " + have + ")", null);
    }
}
