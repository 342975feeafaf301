package io.podnet.cli.explain;

import io.podnet.cli.explain.nft.Fib;
import io.podnet.net.IpAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel's route lookup over a snapshot: policy rules in priority order, each naming a table; in a table the
 * longest matching prefix, then the lowest metric; a {@code throw} route (or no match) goes on to the next
 * rule. Plus who owns a route, by its protocol number.
 */
public final class Routing {
    private Routing() {}

    /** Known {@code rtm_protocol} numbers and who uses them ({@code /etc/iproute2/rt_protos} plus podnet and Calico). */
    private static final Map<Integer, String> PROTOCOLS = Map.ofEntries(Map.entry(0, "unspec"), Map.entry(1, "redirect"),
            Map.entry(2, "kernel"), Map.entry(3, "boot"), Map.entry(4, "static"), Map.entry(9, "ra"), Map.entry(11, "zebra (FRR)"),
            Map.entry(12, "bird"), Map.entry(16, "dhcp"), Map.entry(18, "keepalived"), Map.entry(42, "babel"),
            Map.entry(80, "felix (Calico)"), Map.entry(98, "podnet"), Map.entry(186, "bgp (FRR)"), Map.entry(188, "ospf (FRR)"));

    /** Who owns a route of this protocol number, e.g. {@code proto 98 = podnet}. */
    public static String owner(int protocol) {
        return "proto " + protocol + " = " + PROTOCOLS.getOrDefault(protocol, "another program");
    }

    /** A lookup's answer: the route (empty: none), the table it came from, the rule that chose it. */
    public record Result(Optional<Route> route, int table, Optional<RoutingRule> rule, List<String> notes) {
        public boolean found() { return route.isPresent(); }
    }

    /** The route the kernel picks for {@code dst} ({@code src} null: not chosen yet; {@code inDev} "": locally generated). */
    public static Result lookup(NsSnapshot ns, IpAddress dst, IpAddress src, String inDev, long mark) {
        List<RoutingRule> rules = new ArrayList<>(ns.kernel().rules().stream().filter(r -> sameFamily(r, dst)).toList());
        if (rules.isEmpty()) rules.addAll(RoutingRule.defaults());
        rules.sort(Comparator.comparingInt(RoutingRule::priority));
        List<String> notes = new ArrayList<>();
        for (RoutingRule rule : rules) {
            if (!rule.unsupported().isEmpty()) {
                notes.add("rule " + rule.describe() + " uses " + rule.unsupported() + " (not evaluated, skipped)");
                continue;
            }
            if (!rule.matches(src, dst, inDev, "", mark)) continue;
            switch (rule.action()) {
                case NOP -> { }
                case BLACKHOLE, UNREACHABLE, PROHIBIT -> {
                    RouteType t = RouteType.valueOf(rule.action().name());
                    return new Result(Optional.of(Route.to(io.podnet.net.IpPrefix.of(dst, 0)).type(t)), -1, Optional.of(rule), notes);
                }
                case TABLE -> {
                    Optional<Route> r = best(ns, rule.table(), dst);
                    if (r.isPresent() && r.get().type() != RouteType.THROW) return new Result(r, rule.table(), Optional.of(rule), notes);
                }
            }
        }
        return new Result(Optional.empty(), -1, Optional.empty(), notes);
    }

    /**
     * The namespace's lookup as nft's {@code fib ... oif} does it: policy rules as for a locally generated packet
     * (the kernel looks up from loopback), a unicast route answers with its device; no route, a local, blackhole or
     * unreachable route answers "missing"; a multipath route is not evaluated.
     */
    static Fib fib(NsSnapshot ns) {
        return (dst, src, mark) -> {
            Optional<Route> r = lookup(ns, dst, src, "", mark).route().filter(rt -> rt.type() == RouteType.UNICAST);
            if (r.isEmpty()) return Fib.Result.none();
            return r.get().dev().map(Fib.Result::via).orElse(new Fib.Result(false, Optional.empty()));
        };
    }

    private static boolean sameFamily(RoutingRule r, IpAddress dst) {
        return r.from().map(p -> p.family() == dst.family()).orElse(true) && r.to().map(p -> p.family() == dst.family()).orElse(true);
    }

    static Optional<Route> best(NsSnapshot ns, int table, IpAddress dst) {
        return ns.kernel().routes().stream()
                .filter(r -> r.table() == table && r.family() == dst.family() && r.dst().contains(dst))
                .filter(r -> r.type() != RouteType.BROADCAST && r.type() != RouteType.MULTICAST)
                .min(Comparator.comparingInt((Route r) -> -r.dst().length()).thenComparingInt(r -> r.metric().orElse(0)));
    }

    /** The source address a locally generated packet to {@code route} gets: the route's src, else the device's first address. */
    static Optional<IpAddress> source(NsSnapshot ns, Route route, IpAddress dst) {
        if (route.src().isPresent()) return route.src();
        if (route.dev().isEmpty()) return Optional.empty();
        return ns.addresses(route.dev().get()).stream().map(Address::cidr).filter(c -> c.family() == dst.family())
                .map(c -> c.address()).findFirst();
    }

    static String describe(Route r, int table) {
        StringBuilder sb = new StringBuilder();
        if (r.type() != RouteType.UNICAST) sb.append(r.type().name().toLowerCase()).append(' ');
        sb.append(r.dst());
        r.gateway().ifPresent(g -> sb.append(" via ").append(g));
        r.dev().ifPresent(d -> sb.append(" dev ").append(d));
        if (r.onlink()) sb.append(" onlink");
        r.mtu().ifPresent(m -> sb.append(" mtu ").append(m));
        sb.append(" (table ").append(RoutingRule.tableName(table >= 0 ? table : r.table())).append(", ").append(owner(r.protocol().value())).append(')');
        return sb.toString();
    }
}
