package io.podnet.policy.compile;

import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.Direction;
import io.podnet.policy.model.K8sNetworkPolicy;
import io.podnet.policy.model.Kind;
import io.podnet.policy.model.Rule;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.policy.nft.Chain;
import io.podnet.policy.nft.NftRule;
import io.podnet.policy.nft.Ruleset;
import io.podnet.policy.nft.Table;
import io.podnet.policy.nft.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Policies, endpoints and labels in; the node's nft ruleset out. Pure and deterministic: equal inputs give equal
 * rulesets, so the applier diffs the previous ruleset against the new one ({@link io.podnet.policy.nft.RulesetDiff})
 * and a policy or label change becomes a transaction that touches only what changed.
 * <pre>
 *  K8s NetworkPolicy ──K8sConversion──┐
 *  Calico (Global)NetworkPolicy ──────┴─► Policy (Calico semantics), sorted by order, then name
 *                                            │
 *  local WorkloadEndpoints ──Matching────────┤ which policies select each endpoint, per direction
 *                                            ▼
 *        ep-&lt;iface&gt;-in|out: goto policies-&lt;hash&gt;-in|out                  (only endpoints some policy selects)
 *        policies-&lt;hash&gt;-…: ct invalid drop; jump pol-…; …; drop       (once per distinct ordered policy list)
 *        pol-&lt;key&gt;-in|out: RuleCompiler(each rule) → accept/drop/log   (once per policy, shared by endpoints)
 *                                            │ selectors, named ports
 *  all WorkloadEndpoints + GlobalNetworkSets ──SetRegistry──► sel-…-4|6, port-…-4|6 (members, not rules)
 *                                            ▼
 *                 Layout: base chains on forward/input(/prerouting), dispatch maps iface|address → ep chain
 *                                            ▼
 *                                        Ruleset
 * </pre>
 * Evaluation is Calico's: an endpoint's policies in order, the first Allow or Deny decides, Log goes on, Pass
 * skips to the profile ({@link CompileOptions#passAllows()}); selected by at least one policy and nothing
 * allowed it: drop. Not selected in a direction: no chain, no filtering. Replies are always allowed (conntrack).
 */
public final class PolicyCompiler {
    private final CompileOptions options;
    /** Compiled policy chains from the previous run, reused when the policy is unchanged (rules name sets, not pods). */
    private Map<ChainKey, Compiled> cache = new HashMap<>();
    private Map<SetRegistry.Request, String> setNames = new HashMap<>();

    private record ChainKey(Policy policy, Direction direction) {}

    private record Compiled(Chain chain, List<SetRegistry.Request> sets) {}

    public PolicyCompiler(CompileOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public CompileOptions options() { return options; }

    /**
     * The ruleset for {@code node}: chains for its endpoints, sets over the whole cluster. The result depends on the
     * arguments only; the compiler keeps the previous run's policy chains to skip recompiling unchanged policies, so
     * one instance is used by one thread at a time (calls are serialised).
     */
    public synchronized Ruleset compile(PolicyInputs in, NodeView node) {
        List<Policy> policies = policies(in);
        Matching matching = new Matching(in.namespaces(), in.endpoints());
        SetRegistry sets = new SetRegistry(in.endpoints(), in.networkSets(), matching, setNames);
        Map<ChainKey, Compiled> used = new HashMap<>();
        RuleCompiler rules = new RuleCompiler(sets, options);
        Layout layout = new Layout(options, node);
        List<LocalEndpoint> local = localEndpoints(in.endpoints(), node);

        List<Chain> chains = new ArrayList<>();
        Map<String, Chain> policyChains = new LinkedHashMap<>();
        Map<List<String>, String> lists = new HashMap<>();
        Map<Policy, String[]> names = new IdentityHashMap<>();
        for (Policy p : policies) names.put(p, new String[] {p.chainName(Direction.INGRESS), p.chainName(Direction.EGRESS)});
        Map<String, List<Policy>> candidates = new HashMap<>(); // per namespace: its policies and the global ones, in order
        for (LocalEndpoint ep : local) {
            List<Policy> mine = candidates.computeIfAbsent(ep.endpoint().namespace(), ns -> policies.stream()
                    .filter(p -> p.spec().namespace().map(ns::equals).orElse(true)).toList());
            List<Policy> selecting = new ArrayList<>();
            for (Policy p : mine) if (matching.applies(p.spec(), ep.endpoint())) selecting.add(p);
            for (Direction d : Direction.values()) {
                List<String> applied = new ArrayList<>();
                for (Policy p : selecting) {
                    if (!p.spec().types().contains(d)) continue;
                    String name = names.get(p)[d.ordinal()];
                    policyChains.computeIfAbsent(name, n -> cached(p, d, rules, sets, used));
                    applied.add(name);
                }
                if (applied.isEmpty()) continue;
                String list = lists.computeIfAbsent(applied, a -> {
                    String n = "policies-" + Policy.hash(String.join(" ", a)) + (d == Direction.INGRESS ? "-in" : "-out");
                    chains.add(listChain(n, a));
                    return n;
                });
                String chain = ep.chainName(d);
                chains.add(Chain.regular(chain, ep.describe(d), List.of(NftRule.of(new Verdict.Goto(list)))));
                layout.dispatch(ep, d, chain);
            }
        }
        chains.addAll(policyChains.values());
        cache = used;
        Map<SetRegistry.Request, String> keep = new HashMap<>();
        for (Compiled c : used.values()) for (SetRegistry.Request r : c.sets()) keep.put(r, setNames.get(r));
        setNames = keep;
        List<Table> tables = new ArrayList<>();
        tables.add(layout.inet(sets.sets(), chains, local));
        if (node.kinds().contains(Attachment.BRIDGED)) tables.add(layout.bridge(local));
        return Ruleset.of(tables);
    }

    /**
     * The ordered policies of every endpoint that has exactly these (direction included in the names): shared, so
     * the number of jumps grows with distinct policy lists, not with pods.
     */
    private static Chain listChain(String name, List<String> policyChains) {
        List<NftRule> body = new ArrayList<>();
        body.add(new NftRule(List.of("ct state invalid"), Verdict.DROP, ""));
        for (String p : policyChains) body.add(NftRule.of(new Verdict.Jump(p)));
        body.add(new NftRule(List.of(), Verdict.DROP, "default deny: no rule of " + policyChains.size()
                + (policyChains.size() == 1 ? " policy" : " policies") + " allowed it"));
        return Chain.regular(name, policyChains.size() + (policyChains.size() == 1 ? " policy: " : " policies: ")
                + String.join(" ", policyChains.stream().map(c -> c.substring("pol-".length())).toList()), body);
    }

    private Chain cached(Policy p, Direction d, RuleCompiler rules, SetRegistry sets, Map<ChainKey, Compiled> used) {
        ChainKey key = new ChainKey(p, d);
        Compiled c = cache.get(key);
        if (c != null) {
            sets.replay(c.sets());
        } else {
            sets.record();
            Chain chain = policyChain(p, d, rules);
            c = new Compiled(chain, sets.recorded());
        }
        used.put(key, c);
        return c.chain();
    }

    private Chain policyChain(Policy p, Direction d, RuleCompiler rules) {
        List<NftRule> body = new ArrayList<>();
        List<Rule> rs = p.spec().rules(d);
        for (int i = 0; i < rs.size(); i++) body.addAll(rules.compile(p, rs.get(i), p.notes(d).get(i)));
        return Chain.regular(p.chainName(d), p.display() + (d == Direction.INGRESS ? " ingress" : " egress"), body);
    }

    /** Every policy in Calico's vocabulary, in evaluation order. */
    static List<Policy> policies(PolicyInputs in) {
        List<Policy> out = new ArrayList<>();
        for (K8sNetworkPolicy k : in.k8sPolicies()) out.add(K8sConversion.convert(k));
        for (CalicoPolicy c : in.calicoPolicies()) {
            out.add(new Policy(c.isGlobal() ? Kind.GLOBAL_NETWORK_POLICY : Kind.CALICO_NETWORK_POLICY, c,
                    notes("ingress", c.ingress().size()), notes("egress", c.egress().size())));
        }
        out.sort(Policy.ORDER);
        return out;
    }

    private static List<String> notes(String field, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(field + "[" + i + "]");
        return out;
    }

    /** This node's endpoints by interface; of two claiming one interface the first by namespace/name wins. */
    static List<LocalEndpoint> localEndpoints(List<WorkloadEndpoint> all, NodeView node) {
        List<WorkloadEndpoint> mine = new ArrayList<>();
        for (WorkloadEndpoint e : all) if (e.node().equals(node.name())) mine.add(e);
        mine.sort(Comparator.comparing(WorkloadEndpoint::interfaceName).thenComparing(WorkloadEndpoint::namespace).thenComparing(WorkloadEndpoint::name));
        Set<String> seen = new HashSet<>();
        List<LocalEndpoint> out = new ArrayList<>();
        for (WorkloadEndpoint e : mine) {
            if (seen.add(e.interfaceName())) out.add(new LocalEndpoint(e, node.attachmentOf(e.interfaceName())));
        }
        return out;
    }
}
