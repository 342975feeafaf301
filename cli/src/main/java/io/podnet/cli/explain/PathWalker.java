package io.podnet.cli.explain;

import io.podnet.cli.explain.Explanation.Path;
import io.podnet.cli.explain.Explanation.Verdict;
import io.podnet.cli.explain.Hop.Kind;
import io.podnet.cli.explain.Hop.Status;
import io.podnet.cli.explain.nft.NftEvaluator;
import io.podnet.cli.explain.nft.PacketView;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Walks a flow through kernel snapshots hop by hop, as the kernel would forward its packets, and explains
 * where it arrives or what stops it. Pure: snapshots in, hops out.
 * <pre>
 *   originate(ns, packet) ── route lookup (rules → table → longest prefix) ── nft output
 *        │                                                                        │
 *        ▼                                                                        ▼
 *   transmit(ns, route) ── link up/carrier ── MTU/DF ── nft postrouting ── by device kind:
 *        veth/device: neighbour (entry or simulated ARP, proxy ARP) → peer end   → arrive
 *        bridge:      neighbour → bridge FDB or flood → port → peer end           → arrive
 *        vxlan:       neighbour → FDB → VTEP; +50 bytes UDP                       → originate (outer)
 *        ipip:        gateway as remote; +20 bytes IP-in-IP                       → originate (outer)
 *        tun:         the agent's userspace route = the lease; +28 bytes UDP      → originate (outer)
 *   arrive(ns, link, frame) ── link up ── bridge port? → bridge ── MAC is ours? ── nft prerouting
 *        ── route lookup: local → rp_filter, nft input, deliver (or decapsulate → arrive on tunnel device)
 *                         else  → forwarding on? rp_filter, TTL, nft forward → transmit
 * </pre>
 * Each step appends a {@link Hop}; the first STOP ends the path. Calico's routed mode needs no special case:
 * {@code cali*} veths with proxy ARP are veths whose host end answers ARP by proxy, {@code vxlan.calico} is a
 * vxlan device, {@code tunl0} an ipip device, blackhole block routes are routes; the {@link ControlPlane}'s
 * IPAM blocks and BGP sessions annotate the route hops.
 */
public final class PathWalker {
    private static final int MAX_STEPS = 64;
    /** Route protocols of BGP daemons: zebra (FRR), bird, bgp. */
    private static final Set<Integer> BGP_PROTOCOLS = Set.of(11, 12, 186);

    final Cluster cluster;
    final List<Hop> hops = new ArrayList<>();
    private final L2 l2;
    private final Tunnels tunnels;

    private PathWalker(Cluster cluster) {
        this.cluster = cluster;
        this.l2 = new L2(this);
        this.tunnels = new Tunnels(this);
    }

    /** What to do next: originate in a namespace, a frame arriving on a link, or the end of the path. */
    sealed interface Next {
        record Originate(NsSnapshot ns, Packet packet) implements Next {}

        record Arrive(NsSnapshot ns, Link in, Packet packet, MacAddress mac) implements Next {}

        record End(Path path) implements Next {}
    }

    /** Explains {@code flow}: the forward path from the namespace owning its source, then the reply if it arrives. */
    public static Explanation explain(Cluster cluster, Flow flow) {
        NsSnapshot from = cluster.ownerOf(flow.src())
                .orElseThrow(() -> new IllegalArgumentException("no namespace explain read has the source address " + flow.src()));
        String dstName = cluster.ownerOf(flow.dst()).map(NsSnapshot::name).orElse(flow.dst().toString());
        int type = flow.proto() == Flow.Proto.ICMP ? 8 : 0;
        Packet out = new Packet(flow.src(), flow.dst(), flow.proto().number, Flow.EPHEMERAL_PORT, flow.port(), type, flow.size(),
                flow.df(), Packet.DEFAULT_TTL, 0, "new", null, null, 0);
        PathWalker fw = new PathWalker(cluster);
        Path forward = fw.run(from, out);
        Optional<Path> reply = Optional.empty();
        if (forward.reachable()) {
            NsSnapshot at = cluster.ns(forward.stop().orElseThrow().ns()).orElseThrow();
            Packet back = new Packet(fw.deliveredDst, flow.src(), flow.proto().number, fw.deliveredPort, Flow.EPHEMERAL_PORT,
                    0, flow.size(), flow.df(), Packet.DEFAULT_TTL, 0, "established", null, null, 0);
            reply = Optional.of(new PathWalker(cluster).run(at, back));
        }
        return new Explanation(flow, from.name(), dstName, forward, reply);
    }

    private IpAddress deliveredDst;
    private int deliveredPort;

    Path run(NsSnapshot start, Packet p) {
        Next n = new Next.Originate(start, p);
        for (int i = 0; i < MAX_STEPS; i++) {
            if (n instanceof Next.End e) return e.path();
            n = switch (n) {
                case Next.Originate o -> originate(o.ns(), o.packet());
                case Next.Arrive a -> arrive(a.ns(), a.in(), a.packet(), a.mac());
                case Next.End e -> e;
            };
        }
        if (n instanceof Next.End e) return e.path();
        return ((Next.End) stop(start, Kind.ROUTE, "more than " + MAX_STEPS + " steps: a routing loop?", null)).path();
    }

    // ---- hops and endings ----

    void hop(NsSnapshot ns, Kind kind, Status status, String text) {
        hops.add(new Hop(ns.name(), kind, text, status));
    }

    Next stop(NsSnapshot ns, Kind kind, String reason, String fix) {
        hop(ns, kind, Status.STOP, reason);
        return new Next.End(new Path(hops, Verdict.STOPPED, Optional.of(hops.getLast()), reason, Optional.ofNullable(fix)));
    }

    Next end(NsSnapshot ns, Kind kind, Verdict v, String reason) {
        hop(ns, kind, v == Verdict.REACHABLE ? Status.OK : Status.UNCERTAIN, reason);
        return new Next.End(new Path(hops, v, Optional.of(hops.getLast()), reason, Optional.empty()));
    }

    /** A command that runs {@code cmd} inside {@code ns}. */
    String in(NsSnapshot ns, String cmd) {
        return cluster.exec(ns.name(), cmd);
    }

    // ---- originate: a packet this namespace sends ----

    private Next originate(NsSnapshot ns, Packet p) {
        Routing.Result r = Routing.lookup(ns, p.dst(), p.src(), "", p.mark());
        r.notes().forEach(n -> hop(ns, Kind.ROUTE, Status.UNCERTAIN, n));
        if (!r.found()) return noRoute(ns, p, r);
        Route route = r.route().get();
        if (route.type() == RouteType.LOCAL) return deliver(ns, ns.link("lo").orElse(null), p);
        Next bad = unusable(ns, route, r.table());
        if (bad != null) return bad;
        if (p.src() == null) {
            Optional<IpAddress> src = Routing.source(ns, route, p.dst());
            if (src.isEmpty()) return stop(ns, Kind.ROUTE, "no source address for " + p.dst() + " on " + route.dev().orElse("?"), null);
            p = p.withSrc(src.get());
        }
        hop(ns, Kind.ROUTE, Status.OK, p.dst() + ": " + Routing.describe(route, r.table()) + annotate(ns, route, p.dst()));
        NftEvaluator.HookResult out = nft(ns, "output", p.view("", route.dev().orElse(""), ns));
        if (!out.passes()) return nftStop(ns, out);
        if (!out.after().dst().equals(p.dst())) {
            p = p.withDst(out.after().dst(), out.after().dport()).withMark(out.after().mark());
            Routing.Result again = Routing.lookup(ns, p.dst(), p.src(), "", p.mark());
            if (!again.found()) return noRoute(ns, p, again);
            route = again.route().get();
            hop(ns, Kind.ROUTE, Status.NOTE, "after DNAT, " + p.dst() + ": " + Routing.describe(route, again.table()));
        } else {
            p = p.withMark(out.after().mark());
        }
        return transmit(ns, p, route, null);
    }

    private Next noRoute(NsSnapshot ns, Packet p, Routing.Result r) {
        String why = "no route to " + p.dst() + " (rules " + (ns.kernel().rules().isEmpty() ? "local, main, default"
                : ns.kernel().rules().stream().map(RoutingRule::describe).toList().toString()) + ")" + controlHint(ns, p.dst());
        return stop(ns, Kind.ROUTE, why, restartHint(ns));
    }

    /** A route the kernel will not forward over: blackhole, unreachable, prohibit. */
    private Next unusable(NsSnapshot ns, Route route, int table) {
        return switch (route.type()) {
            case BLACKHOLE -> stop(ns, Kind.ROUTE, "dropped by " + Routing.describe(route, table) + annotateBlock(route)
                    + ": a blackhole route discards silently", null);
            case UNREACHABLE -> stop(ns, Kind.ROUTE, "rejected by " + Routing.describe(route, table) + " (ICMP host unreachable)", null);
            case PROHIBIT -> stop(ns, Kind.ROUTE, "rejected by " + Routing.describe(route, table) + " (ICMP administratively prohibited)", null);
            default -> null;
        };
    }

    // ---- arrive: a frame received on a link ----

    private Next arrive(NsSnapshot ns, Link in, Packet p, MacAddress mac) {
        if (!in.isUp()) return stop(ns, Kind.LINK, in.name() + " is down: it receives nothing", in(ns, "ip link set dev " + in.name() + " up"));
        Optional<Link> master = in.masterIndex().isPresent() ? ns.link(in.masterIndex().getAsInt()) : Optional.empty();
        if (master.isPresent() && master.get().kind() instanceof LinkKind.Bridge) return l2.bridgeIngress(ns, master.get(), in, p, mac);
        if (mac != null && in.mac().isPresent() && !mac.equals(in.mac().get()) && !mac.equals(L2.BROADCAST) && L2.hasMacs(in)) {
            return stop(ns, Kind.NEIGH, "the frame is addressed to " + mac + " but " + in.name() + " has MAC " + in.mac().get()
                    + ": dropped (the sender's neighbour or FDB entry is stale)", null);
        }
        return input(ns, in, p);
    }

    /** Routing of a received packet: local delivery or forwarding. */
    Next input(NsSnapshot ns, Link in, Packet p) {
        NftEvaluator.HookResult pre = nft(ns, "prerouting", p.view(in.name(), "", ns));
        if (!pre.passes()) return nftStop(ns, pre);
        if (!pre.after().dst().equals(p.dst())) {
            hop(ns, Kind.NFT, Status.NOTE, "DNAT " + p.dst() + " → " + pre.after().dst() + ":" + pre.after().dport());
            p = p.withDst(pre.after().dst(), pre.after().dport());
        }
        p = p.withMark(pre.after().mark());
        Routing.Result r = Routing.lookup(ns, p.dst(), p.src(), in.name(), p.mark());
        r.notes().forEach(n -> hop(ns, Kind.ROUTE, Status.UNCERTAIN, n));
        if (!r.found()) return noRoute(ns, p, r);
        Route route = r.route().get();
        if (route.type() == RouteType.LOCAL || ns.owns(p.dst())) {
            Next rp = rpFilter(ns, in, p);
            if (rp != null) return rp;
            NftEvaluator.HookResult input = nft(ns, "input", p.view(in.name(), "", ns));
            if (!input.passes()) return nftStop(ns, input);
            return deliver(ns, in, p);
        }
        Next bad = unusable(ns, route, r.table());
        if (bad != null) return bad;
        String fwdKey = "net/ipv4/conf/" + in.name() + "/forwarding";
        if (ns.sysctl(fwdKey).isEmpty()) fwdKey = "net/ipv4/ip_forward";
        int fwd = ns.sysctlInt(fwdKey, 0);
        if (p.dst().isV4() && fwd == 0) {
            return stop(ns, Kind.FORWARDING, "forwarding is off for packets from " + in.name() + " (" + fwdKey.replace('/', '.')
                    + "=0): a packet for another host is dropped (ICMP host unreachable)", in(ns, "sysctl -w net.ipv4.ip_forward=1"));
        }
        hop(ns, Kind.FORWARDING, Status.OK, "forwarding on (" + fwdKey.replace('/', '.') + "=1)");
        Next rp = rpFilter(ns, in, p);
        if (rp != null) return rp;
        if (p.ttl() <= 1) return stop(ns, Kind.ROUTE, "TTL expires (ICMP time exceeded): a routing loop?", null);
        hop(ns, Kind.ROUTE, Status.OK, p.dst() + ": " + Routing.describe(route, r.table()) + annotate(ns, route, p.dst()));
        NftEvaluator.HookResult fw = nft(ns, "forward", p.view(in.name(), route.dev().orElse(""), ns));
        if (!fw.passes()) return nftStop(ns, fw);
        return transmit(ns, p.withTtl(p.ttl() - 1).withMark(fw.after().mark()), route, in);
    }

    private Next rpFilter(NsSnapshot ns, Link in, Packet p) {
        if (!p.src().isV4()) return null;
        int mode = Math.max(ns.sysctlInt("net/ipv4/conf/all/rp_filter", 0), ns.sysctlInt("net/ipv4/conf/" + in.name() + "/rp_filter", 0));
        if (mode == 0) return null;
        Routing.Result back = Routing.lookup(ns, p.src(), null, "", p.mark());
        boolean ok = back.found() && back.route().get().type() != RouteType.BLACKHOLE && back.route().get().type() != RouteType.UNREACHABLE
                && (mode == 2 || back.route().get().dev().map(in.name()::equals).orElse(false));
        String fix = in(ns, "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf." + in.name() + ".rp_filter=2");
        if (!ok) {
            String how = back.found() ? "the route back to " + p.src() + " leaves via " + back.route().get().dev().orElse("?") + ", not " + in.name()
                    : "there is no route back to " + p.src();
            return stop(ns, Kind.RP_FILTER, "reverse-path filter (rp_filter=" + mode + (mode == 1 ? ", strict" : ", loose") + ") drops it: " + how, fix);
        }
        hop(ns, Kind.RP_FILTER, Status.OK, "rp_filter=" + mode + ": the route back to " + p.src() + " is via " + back.route().get().dev().orElse("?"));
        return null;
    }

    /** Local delivery: decapsulate a tunnel packet, else the packet has arrived. */
    private Next deliver(NsSnapshot ns, Link in, Packet p) {
        if (p.inner() != null) return tunnels.decapsulate(ns, in, p);
        Optional<NsSnapshot> owner = cluster.ownerOf(p.dst());
        if (owner.isPresent() && !owner.get().name().equals(ns.name()) && owner.get().role() == NsSnapshot.Role.POD) {
            return stop(ns, Kind.DELIVER, p.dst() + " is also configured in " + ns.name() + ", so the packet ends there instead of in "
                    + owner.get().name() + " (duplicate address)", null);
        }
        String dev = ns.kernel().addresses().stream().filter(a -> a.cidr().address().equals(p.dst())).map(a -> a.dev()).findFirst().orElse("?");
        deliveredDst = p.dst();
        deliveredPort = p.dport();
        return end(ns, Kind.DELIVER, Verdict.REACHABLE, "delivered to " + p.dst() + " on " + dev + " in " + ns.name());
    }

    // ---- transmit: send a routed packet out of a device ----

    Next transmit(NsSnapshot ns, Packet p, Route route, Link in) {
        if (route.dev().isEmpty()) return end(ns, Kind.ROUTE, Verdict.UNKNOWN, "multipath route " + route.dst() + ": explain does not follow nexthop groups");
        Optional<Link> maybe = ns.link(route.dev().get());
        if (maybe.isEmpty()) return stop(ns, Kind.LINK, "the route points to " + route.dev().get() + ", which does not exist", null);
        Link out = maybe.get();
        if (!out.isUp()) return stop(ns, Kind.LINK, out.name() + " is down", in(ns, "ip link set dev " + out.name() + " up"));
        if (!out.hasCarrier()) {
            String fix = out.kind() instanceof LinkKind.Bridge ? L2.ports(ns, out).stream().filter(x -> !x.isUp()).findFirst()
                    .map(x -> in(ns, "ip link set dev " + x.name() + " up")).orElse(null) : null;
            return stop(ns, Kind.LINK, out.name() + " has no carrier: " + l2.noCarrierReason(ns, out), fix);
        }
        int mtu = route.mtu().orElse(out.mtu());
        if (p.size() > mtu) {
            if (p.df()) {
                String what = in == null ? ": the sender gets EMSGSIZE (message too long, mtu " + mtu + ")"
                        : ": dropped, and ICMP fragmentation-needed (mtu " + mtu + ") goes back to " + p.src();
                return stop(ns, Kind.MTU, "a " + p.size() + "-byte packet with DF set does not fit the MTU " + mtu + " of " + out.name() + what,
                        "give the pods an MTU of at most " + mtu + " (podnet doctor checks MTUs)");
            }
            hop(ns, Kind.MTU, Status.NOTE, "fragmented: " + p.size() + " bytes > MTU " + mtu + " of " + out.name());
            p = p.withSize(mtu);
        } else {
            hop(ns, Kind.MTU, Status.OK, p.size() + " bytes ≤ MTU " + mtu + " of " + out.name());
        }
        NftEvaluator.HookResult post = nft(ns, "postrouting", p.view(in == null ? "" : in.name(), out.name(), ns));
        if (!post.passes()) return nftStop(ns, post);
        if (post.nat().isPresent()) p = masquerade(ns, p, post, out);
        IpAddress nexthop = route.gateway().orElse(p.dst());
        return switch (out.kind()) {
            case LinkKind.Veth _, LinkKind.Device _, LinkKind.Macvlan _ -> l2.wire(ns, out, nexthop, p);
            case LinkKind.Bridge _ -> l2.viaBridge(ns, out, nexthop, p);
            case LinkKind.Vxlan v -> tunnels.vxlan(ns, out, v, nexthop, p);
            case LinkKind.Ipip t -> tunnels.ipip(ns, out, t, route, p);
            case LinkKind.Tuntap _ -> tunnels.tun(ns, out, p);
            case LinkKind.Dummy _ -> stop(ns, Kind.LINK, out.name() + " is a dummy device: what it sends is discarded", null);
            case LinkKind.Other o -> end(ns, Kind.LINK, Verdict.UNKNOWN, out.name() + " is a " + o.kindName() + " device, which explain does not model");
        };
    }

    private Packet masquerade(NsSnapshot ns, Packet p, NftEvaluator.HookResult post, Link out) {
        NftEvaluator.Nat nat = post.nat().get();
        IpAddress to = nat.address().orElseGet(() -> ns.addresses(out.name()).stream().map(a -> a.cidr().address())
                .filter(a -> a.family() == p.dst().family()).findFirst().orElse(p.src()));
        if (to.equals(p.src())) return p;
        hop(ns, Kind.NFT, Status.NOTE, nat.kind() + ": source " + p.src() + " becomes " + to + " (" + post.decidedBy().map(NftEvaluator.Step::describe).orElse("") + ")");
        return p.withSrc(to);
    }

    // ---- nft ----

    private NftEvaluator.HookResult nft(NsSnapshot ns, String hook, PacketView view) {
        NftEvaluator.HookResult r = new NftEvaluator(ns.nft()).evaluate(hook, view);
        for (String u : r.unevaluated()) hop(ns, Kind.NFT, Status.UNCERTAIN, hook + ": " + u);
        if (!r.steps().isEmpty() && r.passes()) {
            hop(ns, Kind.NFT, Status.OK, hook + ": " + String.join("; ", r.steps().stream().map(NftEvaluator.Step::describe).toList()));
        }
        return r;
    }

    private Next nftStop(NsSnapshot ns, NftEvaluator.HookResult r) {
        String by = r.decidedBy().map(NftEvaluator.Step::describe).orElse("?");
        String uncertain = r.unevaluated().isEmpty() ? "" : " (uncertain: " + r.unevaluated().size() + " earlier rule(s) were not evaluated)";
        return stop(ns, Kind.NFT, "nft " + r.hook() + " " + r.verdict().name().toLowerCase() + "s it: " + by + uncertain, null);
    }

    // ---- what the control plane says about a route or its absence ----

    String annotate(NsSnapshot ns, Route route, IpAddress dst) {
        ControlPlane cp = cluster.control();
        StringBuilder sb = new StringBuilder();
        cp.overlay().filter(o -> ns.role() == NsSnapshot.Role.NODE && o.network().contains(dst) && route.dst().length() >= o.network().length()).flatMap(o -> cp.leaseFor(dst)).ifPresent(l -> {
            if (ns.owns(l.publicIp())) {
                sb.append("; this node's lease ").append(l.subnet());
                return;
            }
            sb.append("; lease ").append(l.subnet()).append(" → ").append(l.publicIp());
            if (route.gateway().isPresent() && !route.gateway().get().equals(l.publicIp()) && l.backend().equals("host-gw")) {
                sb.append(" (the route's gateway differs from the lease's PublicIP: stale?)");
            }
        });
        sb.append(annotateBlock(route));
        if (route.gateway().isPresent() && BGP_PROTOCOLS.contains(route.protocol().value())) {
            cp.session(ns.node(), route.gateway().get()).ifPresent(s -> sb.append("; BGP session with ").append(s.peer()).append(' ').append(s.state()));
        }
        return sb.toString();
    }

    private String annotateBlock(Route route) {
        return cluster.control().blockFor(route.dst().address()).filter(b -> b.cidr().contains(route.dst()))
                .map(b -> "; IPAM block " + b.cidr() + " is affine to " + b.node()).orElse("");
    }

    private String controlHint(NsSnapshot ns, IpAddress dst) {
        ControlPlane cp = cluster.control();
        Optional<ControlPlane.Lease> lease = cp.leaseFor(dst);
        if (lease.isPresent()) {
            return "; the lease " + lease.get().subnet() + " (PublicIP " + lease.get().publicIp() + ") exists, but this node has no route for it: "
                    + "its agent has not programmed it" + cp.agentRunning(ns.node()).map(r -> r ? " (agent running: it repairs at its next resync)" : " (the agent is not running)").orElse("");
        }
        if (cp.overlay().isPresent() && cp.overlay().get().network().contains(dst)) {
            return "; no node holds a lease covering " + dst + " in etcd (deleted or expired: the owning agent must acquire it again)";
        }
        return cp.blockFor(dst).map(b -> "; " + dst + " is in IPAM block " + b.cidr() + " affine to " + b.node() + ", but no route leads there").orElse("");
    }

    private String restartHint(NsSnapshot ns) {
        if (cluster.control().overlay().isEmpty() || ns.role() != NsSnapshot.Role.NODE) return null;
        return cluster.restartAgent(ns.node()) + " (the agent programs a route for every lease)";
    }
}
