package io.podnet.policy.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.policy.compile.CompileOptions;
import io.podnet.policy.compile.NodeView;
import io.podnet.policy.compile.PolicyCompiler;
import io.podnet.policy.compile.PolicyInputs;
import io.podnet.policy.model.GlobalNetworkSet;
import io.podnet.policy.model.NamedPort;
import io.podnet.policy.model.Namespace;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.policy.nft.Ruleset;
import io.podnet.policy.nft.RulesetDiff;
import io.podnet.net.IpPrefix;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental path is exact: after random label, policy, endpoint, network-set and namespace changes, the
 * kernel state reached by applying only the diffs equals the state a full load of the new ruleset gives (compared
 * as {@code nft list ruleset} with element order normalised).
 */
@ExtendWith(NetnsExtension.class)
class DiffNetnsIT {
    private static final String[] APPS = {"web", "db", "cache"};

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"routed", "bridged"})
    void diffsTakeTheKernelToExactlyTheNewRuleset(String wiring, Netns incremental, Netns fresh) throws Exception {
        Random rnd = new Random(20);
        NodeView node = wiring.equals("routed") ? NodeView.routed("node1") : NodeView.bridged("node1");
        PolicyCompiler compiler = new PolicyCompiler(CompileOptions.DEFAULTS);
        PolicyInputs in = PolicyInputs.of(initial(rnd));
        Ruleset current = compiler.compile(in, node);
        load(incremental, current.renderReplace());
        for (int step = 0; step < 12; step++) {
            in = mutate(mutate(in, rnd), rnd);
            Ruleset next = compiler.compile(in, node);
            String tx = RulesetDiff.between(current, next).render();
            if (!tx.isEmpty()) load(incremental, tx);
            load(fresh, next.renderReplace());
            List<String> want = normalized(fresh);
            assertThat(want).anySatisfy(b -> assertThat(b).contains("chain pol-")).anySatisfy(b -> assertThat(b).contains("elements ["));
            assertThat(normalized(incremental)).as("step " + step + " after:\n" + tx).isEqualTo(want);
            current = next;
        }
    }

    private static List<Resource> initial(Random rnd) {
        List<Resource> out = new ArrayList<>();
        for (String ns : List.of("x", "y", "z")) out.add(new Namespace(ns, Map.of("team", ns.equals("z") ? "b" : "a")));
        for (int i = 0; i < 24; i++) out.add(endpoint(i, APPS[rnd.nextInt(3)]));
        out.add(new GlobalNetworkSet("feed", Map.of("app", "db"), List.of(IpPrefix.parse("198.51.100.0/24"))));
        for (int p = 0; p < 8; p++) out.add(policy(p, rnd));
        return out;
    }

    private static WorkloadEndpoint endpoint(int i, String app) {
        return new WorkloadEndpoint(List.of("x", "y", "z").get(i % 3), "p" + i, i < 12 ? "node1" : "node2", "cali" + i,
                List.of(IpAddress.parse("10.9.0." + (i + 1)), IpAddress.parse("fd09::" + Integer.toHexString(i + 1))),
                Map.of("app", app), List.of(new NamedPort("http", Protocol.TCP, 8000 + i)));
    }

    private static Resource policy(int p, Random rnd) {
        String ns = List.of("x", "y", "z").get(p % 3);
        String yaml = switch (p % 4) {
            case 0 -> """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: k%d, namespace: %s}
                    spec:
                      podSelector: {matchLabels: {app: %s}}
                      ingress: [{from: [{podSelector: {matchLabels: {app: %s}}}, {namespaceSelector: {matchLabels: {team: a}}}], ports: [{port: %d}, {port: http}]}]
                    """.formatted(p, ns, APPS[rnd.nextInt(3)], APPS[rnd.nextInt(3)], 80 + rnd.nextInt(5));
            case 1 -> """
                    apiVersion: networking.k8s.io/v1
                    kind: NetworkPolicy
                    metadata: {name: k%d, namespace: %s}
                    spec:
                      podSelector: {matchLabels: {app: %s}}
                      policyTypes: [Egress]
                      egress: [{to: [{ipBlock: {cidr: 10.9.0.0/16, except: [10.9.0.%d/32]}}, {ipBlock: {cidr: 'fd09::/64'}}]}]
                    """.formatted(p, ns, APPS[rnd.nextInt(3)], 1 + rnd.nextInt(20));
            case 2 -> """
                    apiVersion: projectcalico.org/v3
                    kind: NetworkPolicy
                    metadata: {name: c%d, namespace: %s}
                    spec:
                      order: %d
                      selector: app == '%s'
                      ingress: [{action: Deny, source: {selector: app == '%s'}}, {action: Pass, protocol: ICMP}]
                    """.formatted(p, ns, rnd.nextInt(2000), APPS[rnd.nextInt(3)], APPS[rnd.nextInt(3)]);
            default -> """
                    apiVersion: projectcalico.org/v3
                    kind: GlobalNetworkPolicy
                    metadata: {name: g%d}
                    spec:
                      order: %d
                      selector: has(app)
                      egress: [{action: Allow, protocol: UDP, destination: {selector: app == '%s', ports: [53]}}, {action: Deny, destination: {namespaceSelector: global(), selector: app == 'db'}}]
                    """.formatted(p, rnd.nextInt(2000), APPS[rnd.nextInt(3)]);
        };
        return PolicySemanticsNetnsBase.yaml(yaml).getFirst();
    }

    private static PolicyInputs mutate(PolicyInputs in, Random rnd) {
        return switch (rnd.nextInt(7)) {
            case 0, 1 -> in.upsert(endpoint(rnd.nextInt(24), APPS[rnd.nextInt(3)]));                  // relabel
            case 2 -> in.upsert(policy(rnd.nextInt(8), rnd));                                           // policy update
            case 3 -> in.delete(in.all().stream().filter(r -> r.key().name().matches("[kcg]\\d+")).toList()
                    .get(rnd.nextInt((int) in.all().stream().filter(r -> r.key().name().matches("[kcg]\\d+")).count())).key()); // policy deletion
            case 4 -> in.upsert(policy(8 + rnd.nextInt(4), rnd));                                       // new policy
            case 5 -> in.upsert(new GlobalNetworkSet("feed", Map.of("app", "db"), List.of(IpPrefix.parse("198.51." + rnd.nextInt(200) + ".0/24"))));
            default -> in.upsert(new Namespace(List.of("x", "y", "z").get(rnd.nextInt(3)), Map.of("team", rnd.nextBoolean() ? "a" : "b")));
        };
    }

    private static void load(Netns ns, String text) throws Exception {
        Path f = Files.createTempFile(RunId.prefix() + "-diff", ".nft");
        try {
            Files.writeString(f, text);
            Sh.Result r = ns.exec("nft", "-f", f.toString());
            assertThat(r.ok()).as(r.err() + "\n" + text).isTrue();
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** {@code nft list ruleset} as sorted blocks (sets, maps, chains) with sorted elements: order of creation aside. */
    static List<String> normalized(Netns ns) {
        String listing = ns.exec("nft", "list", "ruleset").check().out();
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        String table = "";
        StringBuilder elements = null;
        for (String line : listing.split("\n")) {
            if (line.startsWith("table ")) {
                table = line;
                continue;
            }
            if (line.startsWith("\tset ") || line.startsWith("\tmap ") || line.startsWith("\tchain ")) block = new StringBuilder(table).append('\n').append(line).append('\n');
            else if (block == null) continue;
            else if (line.contains("elements = {")) elements = new StringBuilder(line.substring(line.indexOf('{') + 1));
            else if (elements != null) elements.append(line);
            else if (line.equals("\t}")) {
                blocks.add(block.toString());
                block = null;
            } else block.append(line.strip()).append('\n');
            if (elements != null && elements.toString().contains("}")) {
                String body = elements.substring(0, elements.lastIndexOf("}"));
                List<String> els = new ArrayList<>();
                for (String e : body.split(",")) if (!e.isBlank()) els.add(e.strip());
                els.sort(null);
                block.append("elements ").append(els).append('\n');
                elements = null;
            }
        }
        blocks.sort(null);
        return blocks;
    }
}
