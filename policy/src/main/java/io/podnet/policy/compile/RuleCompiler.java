package io.podnet.policy.compile;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.policy.model.EntityRule;
import io.podnet.policy.model.Icmp;
import io.podnet.policy.model.PortSpec;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Rule;
import io.podnet.policy.nft.NftRule;
import io.podnet.policy.nft.Verdict;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One Calico rule → nft rules. Criteria become expressions of one rule (AND); where a Calico rule ORs things nft
 * cannot OR in one expression, it becomes several rules: one per IP family when it matches addresses, and one
 * per kind of port (numbers and ranges in an anonymous set, names through a named-port set). The result does not
 * depend on the direction: the source side matches {@code saddr}/{@code sport}, the destination side
 * {@code daddr}/{@code dport}. Selectors become set lookups, so no rule names a pod.
 */
final class RuleCompiler {
    private final SetRegistry sets;
    private final CompileOptions options;

    RuleCompiler(SetRegistry sets, CompileOptions options) {
        this.sets = sets;
        this.options = options;
    }

    List<NftRule> compile(Policy policy, Rule r, String note) {
        Verdict verdict = switch (r.action()) {
            case ALLOW -> Verdict.ACCEPT;
            case DENY -> Verdict.DROP;
            case PASS -> options.passAllows() ? Verdict.ACCEPT : Verdict.DROP;
            case LOG -> Verdict.CONTINUE;
        };
        String log = r.action() == io.podnet.policy.model.Action.LOG
                ? "log prefix \"" + io.podnet.policy.nft.Names.comment("podnet " + policy.key() + " " + note).replace("~", "") + " \"" : null;
        Set<IpFamily> families = families(r);
        List<NftRule> out = new ArrayList<>();
        if (!matchesAddresses(r)) {
            if (families.isEmpty()) return out;
            List<String> head = new ArrayList<>();
            if (r.ipVersion().isPresent()) head.add("meta nfproto " + (r.ipVersion().get() == IpFamily.V4 ? "ipv4" : "ipv6"));
            emit(out, r, null, head, verdict, log, note, policy);
            return out;
        }
        for (IpFamily f : families) emit(out, r, f, new ArrayList<>(), verdict, log, note, policy);
        return out;
    }

    /** Adds one rule per combination of port alternatives of the two sides. */
    private void emit(List<NftRule> out, Rule r, IpFamily f, List<String> head, Verdict verdict, String log, String note, Policy policy) {
        Optional<PeerKey> srcKey = PeerKey.positive(r.source().selector(), r.source().namespaceSelector(), policy.spec().namespace());
        Optional<PeerKey> dstKey = PeerKey.positive(r.destination().selector(), r.destination().namespaceSelector(), policy.spec().namespace());
        List<String> fixed = new ArrayList<>(head);
        fixed.addAll(protocolExprs(r, f));
        if (f != null) {
            fixed.addAll(addressExprs(r.source(), srcKey, f, "saddr"));
            fixed.addAll(addressExprs(r.destination(), dstKey, f, "daddr"));
        }
        fixed.addAll(notPortExprs(r, r.source(), srcKey, f, "saddr", "sport"));
        fixed.addAll(notPortExprs(r, r.destination(), dstKey, f, "daddr", "dport"));
        for (String src : portAlternatives(r, r.source(), srcKey, f, "saddr", "sport")) {
            for (String dst : portAlternatives(r, r.destination(), dstKey, f, "daddr", "dport")) {
                List<String> exprs = new ArrayList<>(fixed);
                if (!src.isEmpty()) exprs.add(src);
                if (!dst.isEmpty()) exprs.add(dst);
                exprs = withProtocol(r, exprs);
                if (log != null) exprs.add(log);
                out.add(new NftRule(exprs, verdict, note));
            }
        }
    }

    /** The families a rule can match: the configured ones, narrowed by ipVersion, ICMP flavour and positive nets. */
    private Set<IpFamily> families(Rule r) {
        Set<IpFamily> f = EnumSet.copyOf(options.families()); // EnumSet: iteration in family order
        r.ipVersion().ifPresent(v -> f.retainAll(Set.of(v)));
        if (r.protocol().isPresent() && r.protocol().get().equals(Protocol.ICMP)) f.retainAll(Set.of(IpFamily.V4));
        if (r.protocol().isPresent() && r.protocol().get().equals(Protocol.ICMPV6)) f.retainAll(Set.of(IpFamily.V6));
        for (EntityRule side : List.of(r.source(), r.destination())) {
            if (!side.nets().isEmpty()) f.retainAll(side.nets().stream().map(IpPrefix::family).toList());
        }
        return f;
    }

    private static boolean matchesAddresses(Rule r) {
        for (EntityRule s : List.of(r.source(), r.destination())) {
            if (!s.nets().isEmpty() || !s.notNets().isEmpty() || s.selectsEndpoints() || s.notSelector().isPresent() || s.hasNamedPorts()) return true;
        }
        return false;
    }

    private static List<String> protocolExprs(Rule r, IpFamily f) {
        List<String> out = new ArrayList<>();
        r.notProtocol().ifPresent(p -> out.add("meta l4proto != " + p.nftName()));
        String icmp = r.protocol().map(p -> p.equals(Protocol.ICMPV6) ? "icmpv6" : "icmp").orElse("icmp");
        r.icmp().ifPresent(i -> {
            out.add(icmp + " type " + i.type());
            i.code().ifPresent(c -> out.add(icmp + " code " + c));
        });
        r.notIcmp().ifPresent(i -> out.add(notIcmp(icmp, i)));
        return out;
    }

    private static String notIcmp(String icmp, Icmp i) {
        if (i.code().isEmpty()) return icmp + " type != " + i.type();
        return icmp + " type . " + icmp + " code != { " + i.type() + " . " + i.code().getAsInt() + " }";
    }

    /** {@code meta l4proto P} first, unless an expression that names the protocol's header already implies it. */
    private static List<String> withProtocol(Rule r, List<String> exprs) {
        if (r.protocol().isEmpty()) return exprs;
        Protocol p = r.protocol().get();
        String keyword = p.equals(Protocol.ICMPV6) ? "icmpv6 " : p.nftName() + " ";
        for (String e : exprs) if (e.startsWith(keyword)) return exprs;
        List<String> out = new ArrayList<>();
        out.add("meta l4proto " + p.nftName());
        out.addAll(exprs);
        return out;
    }

    private List<String> addressExprs(EntityRule side, Optional<PeerKey> key, IpFamily f, String field) {
        String ip = f == IpFamily.V4 ? "ip " : "ip6 ";
        List<String> out = new ArrayList<>();
        List<IpPrefix> nets = side.nets().stream().filter(n -> n.family() == f).toList();
        if (!nets.isEmpty()) out.add(ip + field + " " + anon(List.copyOf(SetRegistry.disjoint(nets))));
        List<IpPrefix> notNets = side.notNets().stream().filter(n -> n.family() == f).toList();
        if (!notNets.isEmpty()) out.add(ip + field + " != " + anon(List.copyOf(SetRegistry.disjoint(notNets))));
        // With named ports, the named-port set (scoped by the selector) does the selector's job.
        boolean namedOnly = !side.ports().isEmpty() && side.ports().stream().allMatch(p -> p instanceof PortSpec.Named);
        if (key.isPresent() && !namedOnly) out.add(ip + field + " @" + sets.use(new SetRegistry.SelectorSet(key.get(), f)));
        side.notSelector().ifPresent(s -> out.add(ip + field + " != @" + sets.use(new SetRegistry.SelectorSet(PeerKey.negative(s), f))));
        return out;
    }

    private List<String> notPortExprs(Rule r, EntityRule side, Optional<PeerKey> key, IpFamily f, String addr, String field) {
        List<String> out = new ArrayList<>();
        List<PortSpec.Range> numeric = ranges(side.notPorts());
        if (!numeric.isEmpty()) out.add(portHeader(r) + " " + field + " != " + anon(numeric.stream().map(RuleCompiler::range).toList()));
        SortedNames named = names(side.notPorts());
        if (!named.isEmpty() && f != null) out.add(namedPortExpr(r, key, named, f, addr, field, " != @"));
        return out;
    }

    /** One expression per alternative ("" when the side has no ports): numbers/ranges, and names. */
    private List<String> portAlternatives(Rule r, EntityRule side, Optional<PeerKey> key, IpFamily f, String addr, String field) {
        if (side.ports().isEmpty()) return List.of("");
        List<String> out = new ArrayList<>();
        List<PortSpec.Range> numeric = ranges(side.ports());
        if (!numeric.isEmpty()) out.add(portHeader(r) + " " + field + " " + anon(numeric.stream().map(RuleCompiler::range).toList()));
        SortedNames named = names(side.ports());
        if (!named.isEmpty() && f != null) out.add(namedPortExpr(r, key, named, f, addr, field, " @"));
        return out;
    }

    private String namedPortExpr(Rule r, Optional<PeerKey> key, SortedNames names, IpFamily f, String addr, String field, String op) {
        String ip = f == IpFamily.V4 ? "ip " : "ip6 ";
        String set = sets.use(new SetRegistry.NamedPortSet(key, names.names, r.protocol().orElseThrow(), f));
        return ip + addr + " . meta l4proto . th " + field + op + set;
    }

    private static String portHeader(Rule r) {
        return r.protocol().orElseThrow().nftName();
    }

    /** The numeric ports, merged into sorted disjoint ranges (an anonymous interval set refuses overlaps). */
    static List<PortSpec.Range> ranges(List<PortSpec> ports) {
        List<PortSpec.Range> in = new ArrayList<>();
        for (PortSpec p : ports) if (p instanceof PortSpec.Range range) in.add(range);
        in.sort(java.util.Comparator.comparingInt(PortSpec.Range::min));
        List<PortSpec.Range> out = new ArrayList<>();
        for (PortSpec.Range r : in) {
            PortSpec.Range last = out.isEmpty() ? null : out.getLast();
            if (last != null && r.min() <= last.max() + 1) out.set(out.size() - 1, new PortSpec.Range(last.min(), Math.max(last.max(), r.max())));
            else out.add(r);
        }
        return out;
    }

    private record SortedNames(TreeSet<String> names) {
        boolean isEmpty() { return names.isEmpty(); }
    }

    private static SortedNames names(List<PortSpec> ports) {
        TreeSet<String> out = new TreeSet<>();
        for (PortSpec p : ports) if (p instanceof PortSpec.Named n) out.add(n.name());
        return new SortedNames(out);
    }

    private static String range(PortSpec.Range r) {
        return r.isSingle() ? Integer.toString(r.min()) : r.min() + "-" + r.max();
    }

    /** A single value as is, several as an anonymous set. */
    private static String anon(List<String> values) {
        return values.size() == 1 ? values.getFirst() : "{ " + String.join(", ", values) + " }";
    }
}
