package io.podnet.cli.doctor;

import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.cli.explain.Routing;
import io.podnet.net.IpAddress;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks one node the way a support engineer would, over facts read beforehand (pure: {@link NodeFacts} in,
 * {@link Finding}s out): forwarding, MTUs of underlay, tunnel and pods, reverse-path filtering against the
 * tunnel's traffic, the neighbour table's fill level, the CNI config directory, the agent's socket; and with a
 * datastore, subnet.env against this node's lease, leases of nodes that no longer answer, and IPAM blocks of
 * unregistered nodes ({@link ClusterChecks}). Every problem carries the command that fixes it.
 */
public final class Doctor {
    private Doctor() {}

    public static List<Finding> run(NodeFacts f) {
        List<Finding> out = new ArrayList<>();
        forwarding(f, out);
        mtu(f, out);
        rpFilter(f, out);
        neighbours(f, out);
        CniConfCheck.run(f.files(), out);
        socket(f.files(), out);
        ClusterChecks.run(f, out);
        return out;
    }

    /** A command run in the node's namespace: as is for this process's namespace, else through {@code ip netns exec}. */
    static String in(NsSnapshot ns, String cmd) {
        return ns.name().equals(io.podnet.cli.explain.Cluster.HOST) ? cmd : "ip netns exec " + ns.name() + " " + cmd;
    }

    // ---- overlay device and underlay ----

    /** The tunnel device of this node (vxlan, TUN of the udp backend, ipip), if any. */
    static Optional<Link> tunnel(NsSnapshot n) {
        return n.links().stream().filter(l -> l.kind() instanceof LinkKind.Vxlan).findFirst()
                .or(() -> n.links().stream().filter(l -> l.kind() instanceof LinkKind.Tuntap).findFirst())
                .or(() -> n.links().stream().filter(l -> l.kind() instanceof LinkKind.Ipip).findFirst());
    }

    static int overhead(Link tunnel) {
        return switch (tunnel.kind()) {
            case LinkKind.Vxlan _ -> 50;
            case LinkKind.Tuntap _ -> 28;
            case LinkKind.Ipip _ -> 20;
            default -> 0;
        };
    }

    /** The underlay interface: as given, else the vxlan device's lower device, else the default route's device. */
    static Optional<Link> underlay(NodeFacts f) {
        NsSnapshot n = f.kernel().node();
        Optional<String> name = f.kernel().underlay()
                .or(() -> tunnel(n).flatMap(t -> t.kind() instanceof LinkKind.Vxlan v ? v.device() : Optional.empty()))
                .or(() -> n.kernel().routes().stream().filter(r -> r.dst().isDefault() && r.table() == 254 && r.dev().isPresent())
                        .map(r -> r.dev().get()).findFirst())
                .or(() -> n.links().stream().filter(l -> l.name().equals("eth0")).map(Link::name).findFirst());
        return name.flatMap(n::link);
    }

    /** This node's underlay address: the first IPv4 address of the underlay interface. */
    static Optional<IpAddress> publicIp(NodeFacts f) {
        return underlay(f).flatMap(u -> f.kernel().node().addresses(u.name()).stream().map(a -> a.cidr().address()).filter(IpAddress::isV4).findFirst());
    }

    // ---- checks ----

    private static void forwarding(NodeFacts f, List<Finding> out) {
        NsSnapshot n = f.kernel().node();
        if (!n.sysctl("net/ipv4/ip_forward").map("1"::equals).orElse(true)) {
            out.add(Finding.error("forwarding", "net.ipv4.ip_forward=0: this node drops every packet between its pods and other nodes",
                    in(n, "sysctl -w net.ipv4.ip_forward=1") + " (and set it in /etc/sysctl.d/ to survive a reboot)"));
            return;
        }
        List<String> off = new ArrayList<>();
        for (Link l : n.links()) {
            boolean relevant = l.kind() instanceof LinkKind.Bridge || l.kind() instanceof LinkKind.Vxlan || l.kind() instanceof LinkKind.Tuntap
                    || l.kind() instanceof LinkKind.Ipip || underlay(f).map(u -> u.name().equals(l.name())).orElse(false);
            if (relevant && n.sysctl("net/ipv4/conf/" + l.name() + "/forwarding").map("0"::equals).orElse(false)) off.add(l.name());
        }
        if (!off.isEmpty()) {
            out.add(Finding.error("forwarding", "forwarding is off on " + String.join(", ", off) + ": packets arriving there are not forwarded",
                    in(n, String.join("; ", off.stream().map(d -> "sysctl -w net.ipv4.conf." + d.replace('.', '/') + ".forwarding=1").toList()))));
        } else {
            out.add(Finding.ok("forwarding", "net.ipv4.ip_forward=1"));
        }
    }

    private static void mtu(NodeFacts f, List<Finding> out) {
        NsSnapshot n = f.kernel().node();
        Optional<Link> under = underlay(f);
        Optional<Link> tun = tunnel(n);
        if (under.isEmpty()) {
            out.add(Finding.warn("mtu", "no underlay interface found (no default route, no eth0): MTUs not checked", "podnet doctor --iface IFACE"));
            return;
        }
        int u = under.get().mtu();
        int limit = u;
        if (tun.isPresent()) {
            Link t = tun.get();
            int o = overhead(t);
            limit = t.mtu();
            if (t.mtu() > u - o) {
                out.add(Finding.error("mtu", t.name() + " (" + t.kind().kindName() + ") has MTU " + t.mtu() + ", more than " + under.get().name()
                        + "'s " + u + " − " + o + ": full-size packets become " + (t.mtu() + o) + "-byte frames the underlay drops",
                        in(n, "ip link set dev " + t.name() + " mtu " + (u - o)) + ", and give pods the same MTU"));
                limit = u - o;
            } else {
                out.add(Finding.ok("mtu", under.get().name() + " " + u + ", " + t.name() + " " + t.mtu() + " (" + o + " bytes of encapsulation)"));
            }
        }
        List<String> tooBig = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        for (Link l : n.links()) {
            boolean podSide = l.kind() instanceof LinkKind.Bridge || (l.kind() instanceof LinkKind.Veth && peer(f, l).map(p -> p.role() == NsSnapshot.Role.POD).orElse(false));
            if (!podSide) continue;
            if (l.mtu() > limit) {
                tooBig.add(l.name() + " " + l.mtu());
                fixes.add(in(n, "ip link set dev " + l.name() + " mtu " + limit));
            }
            if (l.kind() instanceof LinkKind.Veth) vethPair(f, l, limit, out);
        }
        if (!tooBig.isEmpty()) {
            out.add(Finding.error("mtu", "pod-side interfaces larger than the " + limit + " the path carries: " + String.join(", ", tooBig)
                    + " (full-size pod packets are dropped or need fragmentation)", String.join("; ", fixes)));
        }
        if (f.files().subnetEnv() instanceof NodeFacts.SubnetFile.Present p && p.env().mtu() != limit) {
            String what = p.env().mtu() > limit ? "larger than the " + limit + " the path carries: new pods get an MTU that drops full-size packets"
                    : "smaller than the " + limit + " the path carries: new pods waste capacity";
            Finding bad = p.env().mtu() > limit
                    ? Finding.error("mtu", p.path() + " says FLANNEL_MTU=" + p.env().mtu() + ", " + what, "restart the agent (it writes FLANNEL_MTU from the tunnel device)")
                    : Finding.warn("mtu", p.path() + " says FLANNEL_MTU=" + p.env().mtu() + ", " + what, "restart the agent (it writes FLANNEL_MTU from the tunnel device)");
            out.add(bad);
        }
    }

    private static void vethPair(NodeFacts f, Link host, int limit, List<Finding> out) {
        Optional<NsSnapshot> pod = peer(f, host);
        if (pod.isEmpty() || host.parentIndex().isEmpty()) return;
        Optional<Link> end = pod.get().link(host.parentIndex().getAsInt());
        if (end.isPresent() && end.get().mtu() != host.mtu()) {
            int want = Math.min(limit, Math.min(end.get().mtu(), host.mtu()));
            out.add(Finding.error("mtu", "veth pair " + host.name() + " (MTU " + host.mtu() + ") ↔ " + end.get().name() + " in " + pod.get().name()
                    + " (MTU " + end.get().mtu() + "): the smaller end silently drops larger frames from the other",
                    in(pod.get(), "ip link set dev " + end.get().name() + " mtu " + want) + "; " + in(f.kernel().node(), "ip link set dev " + host.name() + " mtu " + want)));
        }
    }

    static Optional<NsSnapshot> peer(NodeFacts f, Link l) {
        if (l.linkNetnsId().isEmpty()) return Optional.empty();
        String name = f.kernel().node().peerNamespaces().get(l.linkNetnsId().getAsInt());
        return f.kernel().peers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static int rpMode(NsSnapshot n, String dev) {
        return Math.max(n.sysctlInt("net/ipv4/conf/all/rp_filter", 0), n.sysctlInt("net/ipv4/conf/" + dev + "/rp_filter", 0));
    }

    private static void rpFilter(NodeFacts f, List<Finding> out) {
        NsSnapshot n = f.kernel().node();
        Optional<Link> tun = tunnel(n);
        Optional<Link> under = underlay(f);
        List<ControlPlane.Lease> remote = f.datastore().control().map(ControlPlane::leases).orElse(List.of()).stream()
                .filter(l -> publicIp(f).map(ip -> !ip.equals(l.publicIp())).orElse(true)).toList();
        int before = out.size();
        for (ControlPlane.Lease l : remote) {
            tun.filter(t -> rpMode(n, t.name()) == 1).ifPresent(t -> {
                Optional<Route> back = Routing.lookup(n, l.subnet().address().next(), null, "", 0).route();
                String via = back.flatMap(Route::dev).orElse(null);
                if (!t.name().equals(via)) {
                    out.add(Finding.error("rp_filter", "rp_filter=1 (strict) on " + t.name() + " drops what arrives there from " + l.subnet() + ": the route back "
                            + (via == null ? "does not exist" : "leaves via " + via), in(n, "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf."
                            + t.name().replace('.', '/') + ".rp_filter=2")));
                }
            });
            under.filter(u -> rpMode(n, u.name()) == 1 && tun.isPresent()).ifPresent(u -> {
                Optional<Route> back = Routing.lookup(n, l.publicIp(), null, "", 0).route();
                String via = back.flatMap(Route::dev).orElse(null);
                if (!u.name().equals(via)) {
                    out.add(Finding.error("rp_filter", "rp_filter=1 (strict) on " + u.name() + " drops tunnel packets from " + l.publicIp() + ": the route back "
                            + (via == null ? "does not exist" : "leaves via " + via), in(n, "sysctl -w net.ipv4.conf." + u.name().replace('.', '/') + ".rp_filter=2")));
                }
            });
        }
        if (out.size() == before) {
            String devs = tun.map(t -> t.name() + " rp_filter=" + rpMode(n, t.name()) + ", ").orElse("")
                    + under.map(u -> u.name() + " rp_filter=" + rpMode(n, u.name())).orElse("");
            out.add(Finding.ok("rp_filter", devs + (remote.isEmpty() ? " (no remote leases to check against)" : ": every remote subnet routes back the way it arrives")));
        }
    }

    private static void neighbours(NodeFacts f, List<Finding> out) {
        int e = f.kernel().neighEntries();
        int max = f.kernel().gcThresh3();
        if (max <= 0 || e < 0) return;
        String msg = "the neighbour table holds " + e + " entries of gc_thresh3 " + max;
        String fix = "sysctl -w net.ipv4.neigh.default.gc_thresh1=" + max + " net.ipv4.neigh.default.gc_thresh2=" + (2 * max)
                + " net.ipv4.neigh.default.gc_thresh3=" + (4 * max);
        if (e >= max * 9 / 10) {
            out.add(Finding.error("neighbours", msg + ": new neighbours fail (\"neighbour table overflow\") and pods lose connectivity", fix));
        } else if (e >= max * 3 / 4) {
            out.add(Finding.warn("neighbours", msg + ": near the limit where the kernel refuses new entries", fix));
        } else {
            out.add(Finding.ok("neighbours", msg));
        }
    }

    private static void socket(NodeFacts.Files files, List<Finding> out) {
        switch (files.socket()) {
            case MISSING -> out.add(Finding.error("agent", "no agent socket at " + files.cniSocket() + ": every CNI ADD fails with code 11 (try again later)",
                    "systemctl start podnet-agent"));
            case REFUSED -> out.add(Finding.error("agent", files.cniSocket() + " exists but nobody accepts on it: the agent died and left it behind",
                    "systemctl restart podnet-agent"));
            case ANSWERS -> out.add(Finding.ok("agent", "the agent answers on " + files.cniSocket()));
        }
    }
}
