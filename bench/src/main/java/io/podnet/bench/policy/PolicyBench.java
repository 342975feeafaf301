package io.podnet.bench.policy;

import io.podnet.net.IpFamily;
import io.podnet.policy.compile.CompileOptions;
import io.podnet.policy.compile.NodeView;
import io.podnet.policy.compile.PolicyCompiler;
import io.podnet.policy.compile.PolicyInputs;
import io.podnet.policy.model.K8sNetworkPolicy;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.policy.nft.Ruleset;
import io.podnet.policy.nft.RulesetDiff;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compile N policies over M local endpoints (and as many remote ones) into the node's ruleset, apply it with
 * {@code nft -f} in a throwaway namespace, then make one policy change and one label change and apply each as a
 * diff. Baseline in the same run: the same changes applied as a full replacement of the table (what an applier
 * without diffs does; Calico's iptables data plane rewrites chains that grow with pods × policies).
 * Usage: {@code PolicyBench [policies=1000] [localEndpoints=1000] [rounds=5] [namespaces=10] [compile-only]}. Medians printed.
 */
public final class PolicyBench {
    public static void main(String[] args) throws Exception {
        int policies = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int local = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int namespaces = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        boolean compileOnly = args.length > 4 && args[4].equals("compile-only");
        PolicyWorkload w = new PolicyWorkload(local, policies, namespaces);
        PolicyInputs in = PolicyInputs.of(w.resources);
        CompileOptions options = CompileOptions.DEFAULTS.withFamilies(Set.of(IpFamily.V4));
        NodeView node = NodeView.routed("node1");

        for (int i = 0; i < 3; i++) new PolicyCompiler(options).compile(in, node); // warm-up: class loading, JIT
        Map<String, List<Double>> t = new HashMap<>();
        Ruleset full = null;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            full = new PolicyCompiler(options).compile(in, node); // cold: nothing cached
            long t1 = System.nanoTime();
            String text = full.renderReplace();
            long t2 = System.nanoTime();
            add(t, "compile (cold)", t1 - t0);
            add(t, "render", t2 - t1);
            if (r == 0) System.out.printf("ruleset: %s; nft text %,d bytes%n", full.stats(), text.length());
        }
        if (compileOnly) {
            System.out.printf("compile %.1f ms, render %.1f ms (medians of %d)%n", median(t.get("compile (cold)")), median(t.get("render")), rounds);
            return;
        }
        K8sNetworkPolicy changed = w.k8s.get(w.k8s.size() / 2);
        PolicyInputs policyChange = in.upsert(new K8sNetworkPolicy(changed.namespace(), changed.name(), changed.podSelector(),
                changed.policyTypes(), List.of(new K8sNetworkPolicy.PolicyRule(changed.ingress().getFirst().peers(),
                        List.of(changed.ingress().getFirst().ports().getFirst()))), changed.egress()));
        WorkloadEndpoint ep = w.localEndpoints.get(w.localEndpoints.size() / 3);
        Map<String, String> labels = new HashMap<>(ep.labels());
        labels.put("role", "role" + ((Integer.parseInt(ep.labels().get("role").substring(4)) + 1) % 7));
        labels.put("app", "app" + ((Integer.parseInt(ep.labels().get("app").substring(3)) + 1) % 20));
        PolicyInputs labelChange = in.upsert(ep.withLabels(labels));

        PolicyCompiler compiler = new PolicyCompiler(options); // long-lived, as the agent's: reuses unchanged policy chains
        compiler.compile(in, node);
        try (Netns ns = Netns.create("b")) {
            Path f = Files.createTempFile("podnet-policy-bench", ".nft");
            try {
                for (int r = 0; r < rounds; r++) {
                    add(t, "apply full (nft -f)", nft(ns, f, full.renderReplace()));
                    for (var change : List.of(Map.entry("policy change", policyChange), Map.entry("label change", labelChange))) {
                        long c0 = System.nanoTime();
                        Ruleset next = compiler.compile(change.getValue(), node);
                        RulesetDiff d = RulesetDiff.between(full, next);
                        String tx = d.render();
                        long c1 = System.nanoTime();
                        add(t, change.getKey() + ": compile (warm) + diff", c1 - c0);
                        add(t, change.getKey() + ": apply diff (nft -f)", nft(ns, f, tx));
                        if (r == 0) System.out.printf("%s: %s; transaction %,d bytes%n", change.getKey(), d.summary(), tx.length());
                        add(t, change.getKey() + ": baseline full replace (nft -f)", nft(ns, f, next.renderReplace()));
                        nft(ns, f, full.renderReplace()); // back to the start for the next change
                        compiler.compile(in, node);
                    }
                }
                String listed = ns.exec("nft", "list", "table", "inet", CompileOptions.DEFAULT_TABLE).check().out();
                System.out.printf("kernel lists %,d lines for the table%n", listed.lines().count());
            } finally {
                Files.deleteIfExists(f);
            }
        }
        System.out.printf("%d policies, %d local + %d remote endpoints, %d namespaces, %d rounds (medians, ms):%n", policies, local, local, namespaces, rounds);
        for (String k : List.of("compile (cold)", "render", "apply full (nft -f)",
                "policy change: compile (warm) + diff", "policy change: apply diff (nft -f)", "policy change: baseline full replace (nft -f)",
                "label change: compile (warm) + diff", "label change: apply diff (nft -f)", "label change: baseline full replace (nft -f)")) {
            System.out.printf("  %-48s %9.1f%n", k, median(t.get(k)));
        }
        System.out.printf("diff vs full replace: policy change %.2fx, label change %.2fx of the baseline's time%n",
                median(t.get("policy change: apply diff (nft -f)")) / median(t.get("policy change: baseline full replace (nft -f)")),
                median(t.get("label change: apply diff (nft -f)")) / median(t.get("label change: baseline full replace (nft -f)")));
    }

    private static long nft(Netns ns, Path f, String text) throws Exception {
        Files.writeString(f, text);
        long t0 = System.nanoTime();
        Sh.Result r = ns.exec("nft", "-f", f.toString());
        long t1 = System.nanoTime();
        if (!r.ok()) throw new IllegalStateException("nft -f failed: " + r.err());
        return t1 - t0;
    }

    private static void add(Map<String, List<Double>> t, String k, long nanos) {
        t.computeIfAbsent(k, x -> new ArrayList<>()).add(nanos / 1e6);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
