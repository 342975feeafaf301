package io.podnet.cli.explain.nft;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Runs one packet through the base chains of one netfilter hook the way the kernel does: every base chain of
 * the packet's families ({@code ip}/{@code ip6} and {@code inet}) registered at the hook, in priority order;
 * inside a chain rule by rule, following {@code jump}/{@code goto}/{@code return}, verdict maps and named
 * sets; {@code accept} ends one base chain (the next still runs), {@code drop}/{@code reject} end the packet,
 * and a base chain that runs out of rules applies its policy. {@code nat} chains see only a flow's first
 * packet. Nothing here knows who wrote a chain, so chains of network policy (per-endpoint chains, sets,
 * verdict maps) are evaluated like any other; the deciding rule's comment names the policy.
 * <p>
 * Matches are three-valued: an expression explain cannot evaluate ({@code xt} matches of iptables-nft,
 * {@code socket}, hashes, ...) makes its rule "unevaluated": reported in {@link HookResult#unevaluated()} and
 * assumed not to match, so a verdict that depends on one is marked uncertain instead of guessed.
 */
public final class NftEvaluator {
    private static final int MAX_DEPTH = 16;

    private final NftRuleset rules;
    private final Matcher matcher;

    public NftEvaluator(NftRuleset rules) {
        this.rules = rules;
        this.matcher = new Matcher(rules);
    }

    public enum Verdict { ACCEPT, DROP, REJECT, QUEUE }

    /**
     * One rule or policy that decided something on the way: a verdict, a jump, a NAT or mark rewrite.
     * {@code chainPath} is how the packet got to the rule's chain: {@code base → jumped-to ⇒ gone-to}.
     */
    public record Step(String chainPath, long handle, String rule, Optional<String> comment, String effect) {
        public String describe() {
            String what = handle < 0 ? rule : "rule " + handle + " `" + rule + "`";
            return chainPath + ": " + what + comment.map(c -> " (comment \"" + c + "\")").orElse("") + " → " + effect;
        }
    }

    /** A NAT statement that applied: its kind and, for dnat/snat, the new address and port. */
    public record Nat(String kind, Optional<IpAddress> address, OptionalInt port) {}

    /** What one hook did to the packet. */
    public record HookResult(String hook, Verdict verdict, List<Step> steps, List<String> unevaluated, PacketView after,
                             Optional<Nat> nat) {
        /** The step that produced the final verdict (the last one), if any rule or policy decided. */
        public Optional<Step> decidedBy() { return steps.isEmpty() ? Optional.empty() : Optional.of(steps.getLast()); }

        public boolean passes() { return verdict == Verdict.ACCEPT; }
    }

    public HookResult evaluate(String hook, PacketView packet) {
        List<Step> steps = new ArrayList<>();
        List<String> unevaluated = new ArrayList<>();
        PacketView p = packet;
        Optional<Nat> nat = Optional.empty();
        for (NftRuleset.Chain base : rules.baseChains(hook, packet.ipv6())) {
            boolean natChain = base.hook().orElseThrow().type().equals("nat");
            if (natChain && (!p.ctState().equals("new") || nat.isPresent())) continue;
            Outcome o = runBase(base, p, steps, unevaluated);
            p = o.packet;
            if (o.nat.isPresent()) {
                nat = o.nat;
                p = applyNat(p, o.nat.get());
            }
            if (o.verdict != Verdict.ACCEPT) return new HookResult(hook, o.verdict, steps, unevaluated, p, nat);
        }
        return new HookResult(hook, Verdict.ACCEPT, steps, unevaluated, p, nat);
    }

    private static PacketView applyNat(PacketView p, Nat n) {
        return switch (n.kind) {
            case "dnat" -> new PacketView(p.src(), n.address.orElse(p.dst()), p.l4proto(), p.sport(), n.port.orElse(p.dport()),
                    p.icmpType(), p.iifname(), p.oifname(), p.mark(), p.ctState(), p.ctDirection(), p.localAddresses(), p.fib());
            case "snat" -> new PacketView(n.address.orElse(p.src()), p.dst(), p.l4proto(), n.port.orElse(p.sport()), p.dport(),
                    p.icmpType(), p.iifname(), p.oifname(), p.mark(), p.ctState(), p.ctDirection(), p.localAddresses(), p.fib());
            default -> p; // masquerade/redirect: the caller knows the interface address
        };
    }

    private record Outcome(Verdict verdict, PacketView packet, Optional<Nat> nat) {}

    private record Frame(NftRuleset.Chain chain, int next) {}

    private Outcome runBase(NftRuleset.Chain base, PacketView packet, List<Step> steps, List<String> unevaluated) {
        Deque<Frame> stack = new ArrayDeque<>();
        NftRuleset.Chain chain = base;
        int i = 0;
        PacketView p = packet;
        List<String> path = new ArrayList<>(List.of(base.label()));
        while (true) {
            if (i >= chain.rules().size()) {
                if (stack.isEmpty()) return policy(base, p, steps, path);
                Frame f = stack.pop();
                path.removeLast();
                chain = f.chain;
                i = f.next;
                continue;
            }
            NftRuleset.Rule rule = chain.rules().get(i);
            RuleResult r = evalRule(rule, p, unevaluated, chain);
            p = r.packet;
            String where = String.join(" → ", path);
            switch (r.kind) {
                case NO_MATCH, CONTINUE -> i++;
                case VERDICT -> {
                    steps.add(step(where, rule, r.verdict.name().toLowerCase()));
                    return new Outcome(r.verdict, p, Optional.empty());
                }
                case NAT -> {
                    steps.add(step(where, rule, r.nat.kind + r.nat.address.map(a -> " to " + a).orElse("")
                            + (r.nat.port.isPresent() ? ":" + r.nat.port.getAsInt() : "")));
                    return new Outcome(Verdict.ACCEPT, p, Optional.of(r.nat));
                }
                case JUMP, GOTO -> {
                    Optional<NftRuleset.Chain> target = rules.chain(rule.family(), rule.table(), r.target);
                    if (target.isEmpty() || stack.size() >= MAX_DEPTH) {
                        unevaluated.add(describe(rule) + ": " + (target.isEmpty() ? "no chain " + r.target : "jumps nested too deep"));
                        i++;
                        continue;
                    }
                    steps.add(step(where, rule, (r.kind == Kind.JUMP ? "jump " : "goto ") + r.target));
                    if (r.kind == Kind.JUMP) {
                        stack.push(new Frame(chain, i + 1));
                        path.add(r.target);
                    } else {
                        // goto replaces the chain on the stack; the path keeps it (ep-X-in ⇒ policies-...) to show the way in
                        path.add(path.removeLast() + " ⇒ " + r.target);
                    }
                    chain = target.get();
                    i = 0;
                }
                case RETURN -> {
                    steps.add(step(where, rule, "return"));
                    if (stack.isEmpty()) return policy(base, p, steps, path);
                    Frame f = stack.pop();
                    path.removeLast();
                    chain = f.chain;
                    i = f.next;
                }
            }
        }
    }

    private Outcome policy(NftRuleset.Chain base, PacketView p, List<Step> steps, List<String> path) {
        String pol = base.hook().orElseThrow().policy();
        Verdict v = pol.equals("drop") ? Verdict.DROP : Verdict.ACCEPT;
        steps.add(new Step(base.label(), -1, "policy " + pol, Optional.empty(), v.name().toLowerCase()));
        return new Outcome(v, p, Optional.empty());
    }

    private Step step(String where, NftRuleset.Rule rule, String effect) {
        return new Step(where, rule.handle(), rules.text(rule).orElse("handle " + rule.handle()), rule.comment(), effect);
    }

    private String describe(NftRuleset.Rule rule) {
        return rule.family() + " " + rule.table() + " " + rule.chain() + " rule " + rule.handle()
                + rules.text(rule).map(t -> " `" + t + "`").orElse("");
    }

    private enum Kind { NO_MATCH, CONTINUE, VERDICT, NAT, JUMP, GOTO, RETURN }

    private record RuleResult(Kind kind, Verdict verdict, String target, Nat nat, PacketView packet) {
        static RuleResult of(Kind k, PacketView p) { return new RuleResult(k, null, null, null, p); }
    }

    private RuleResult evalRule(NftRuleset.Rule rule, PacketView packet, List<String> unevaluated, NftRuleset.Chain chain) {
        PacketView p = packet;
        for (JsonNode e : rule.expr()) {
            String op = e.fieldNames().hasNext() ? e.fieldNames().next() : "";
            JsonNode arg = e.path(op);
            switch (op) {
                case "match" -> {
                    Matcher.Match m = matcher.match(arg, p, rule);
                    if (m.tri() == Tri.FALSE) return RuleResult.of(Kind.NO_MATCH, packet);
                    if (m.tri() == Tri.UNKNOWN) {
                        unevaluated.add(describe(rule) + ": " + m.unknown() + " (assumed not to match)");
                        return RuleResult.of(Kind.NO_MATCH, packet);
                    }
                }
                case "xt" -> {
                    String name = arg.path("name").asText();
                    if (arg.path("type").asText().equals("match")) {
                        if (!name.equals("comment")) {
                            unevaluated.add(describe(rule) + ": iptables match '" + name + "' (assumed not to match)");
                            return RuleResult.of(Kind.NO_MATCH, packet);
                        }
                    } else if (name.equals("REJECT")) {
                        return new RuleResult(Kind.VERDICT, Verdict.REJECT, null, null, p);
                    } else if (name.equals("MASQUERADE")) {
                        return new RuleResult(Kind.NAT, null, null, new Nat("masquerade", Optional.empty(), OptionalInt.empty()), p);
                    } else {
                        unevaluated.add(describe(rule) + ": iptables target '" + name + "' (its effect is not modelled)");
                    }
                }
                case "mangle" -> {
                    if (arg.path("key").path("meta").path("key").asText().equals("mark") && arg.path("value").isNumber()) {
                        p = p.withMark(arg.path("value").asLong());
                    }
                }
                case "vmap" -> {
                    Matcher.Lookup l = matcher.lookupVerdict(arg, p, rule);
                    if (l.verdict().isPresent()) {
                        RuleResult r = verdict(l.verdict().get(), p);
                        if (r != null) return r;
                    } else if (l.unknown() != null) {
                        unevaluated.add(describe(rule) + ": " + l.unknown() + " (verdict map assumed not to match)");
                        return RuleResult.of(Kind.NO_MATCH, packet);
                    }
                }
                case "dnat", "snat" -> {
                    Optional<IpAddress> addr = arg.path("addr").isTextual() ? Optional.of(IpAddress.parse(arg.path("addr").asText()))
                            : Optional.empty();
                    OptionalInt port = arg.path("port").isNumber() ? OptionalInt.of(arg.path("port").asInt()) : OptionalInt.empty();
                    if (arg.has("addr") && addr.isEmpty()) unevaluated.add(describe(rule) + ": " + op + " to a computed address");
                    return new RuleResult(Kind.NAT, null, null, new Nat(op, addr, port), p);
                }
                case "masquerade", "redirect" -> {
                    return new RuleResult(Kind.NAT, null, null, new Nat(op, Optional.empty(), OptionalInt.empty()), p);
                }
                default -> {
                    RuleResult r = verdict(e, p);
                    if (r != null) return r;
                    // counter, log, limit, quota, notrack, set updates, ...: no effect on the decision
                }
            }
        }
        return RuleResult.of(Kind.CONTINUE, p);
    }

    /** A verdict statement ({@code accept}, {@code jump X}, ...) as a result, or null for any other statement. */
    private static RuleResult verdict(JsonNode v, PacketView p) {
        if (v.has("accept")) return new RuleResult(Kind.VERDICT, Verdict.ACCEPT, null, null, p);
        if (v.has("drop")) return new RuleResult(Kind.VERDICT, Verdict.DROP, null, null, p);
        if (v.has("reject")) return new RuleResult(Kind.VERDICT, Verdict.REJECT, null, null, p);
        if (v.has("queue")) return new RuleResult(Kind.VERDICT, Verdict.QUEUE, null, null, p);
        if (v.has("continue")) return RuleResult.of(Kind.CONTINUE, p);
        if (v.has("return")) return RuleResult.of(Kind.RETURN, p);
        if (v.has("jump")) return new RuleResult(Kind.JUMP, null, v.path("jump").path("target").asText(), null, p);
        if (v.has("goto")) return new RuleResult(Kind.GOTO, null, v.path("goto").path("target").asText(), null, p);
        return null;
    }

    enum Tri { TRUE, FALSE, UNKNOWN }
}
