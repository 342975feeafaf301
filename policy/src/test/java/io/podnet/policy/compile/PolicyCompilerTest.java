package io.podnet.policy.compile;

import static io.podnet.policy.compile.Fixtures.ep;
import static io.podnet.policy.compile.Fixtures.one;
import static io.podnet.policy.compile.Fixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpFamily;
import io.podnet.policy.model.NamedPort;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.policy.nft.Chain;
import io.podnet.policy.nft.Family;
import io.podnet.policy.nft.NftRule;
import io.podnet.policy.nft.Ruleset;
import io.podnet.policy.nft.RulesetDiff;
import io.podnet.policy.nft.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyCompilerTest {
    static final PolicyCompiler V4 = new PolicyCompiler(CompileOptions.DEFAULTS.withFamilies(Set.of(IpFamily.V4)));
    static final NodeView NODE1 = NodeView.routed("node1");

    static final String ALLOW_FROM_B = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: allow-b, namespace: x}
            spec:
              podSelector: {matchLabels: {pod: a}}
              ingress:
              - from: [{podSelector: {matchLabels: {pod: b}}}]
                ports: [{port: 80}]
            """;

    static Table inet(Ruleset r) {
        return r.table(Family.INET, CompileOptions.DEFAULT_TABLE).orElseThrow();
    }

    static List<String> rules(Ruleset r, String chain) {
        Chain c = inet(r).chains().get(chain);
        return c == null ? null : c.rules().stream().map(NftRule::render).toList();
    }

    /** The rules an endpoint chain leads to: its one {@code goto} followed to the shared policy-list chain. */
    static List<String> policyList(Ruleset r, String endpointChain) {
        List<String> ep = rules(r, endpointChain);
        assertThat(ep).hasSize(1).first().asString().startsWith("goto policies-");
        return rules(r, ep.getFirst().substring("goto ".length()));
    }

    static PolicyInputs inputs(List<Resource> resources) {
        return PolicyInputs.of(resources);
    }

    @Test
    void anEndpointNoPolicySelectsHasNoChainAndNoDispatch() {
        var in = inputs(List.of(one(ALLOW_FROM_B), ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a"), ep("x", "c", "node1", "cali3", "10.0.0.3", "pod=c")));
        Ruleset r = V4.compile(in, NODE1);
        assertThat(inet(r).chains()).containsKey("ep-cali1-in").doesNotContainKeys("ep-cali3-in", "ep-cali3-out", "ep-cali1-out");
        assertThat(inet(r).maps().get("to-iface").elements()).containsOnlyKeys("\"cali1\"");
        assertThat(inet(r).maps().get("from-iface").elements()).isEmpty();
    }

    @Test
    void onlyLocalEndpointsGetChainsButRemoteOnesAreInTheSets() {
        var in = inputs(List.of(one(ALLOW_FROM_B), ep("x", "a", "node2", "cali1", "10.0.1.1", "pod=a"), ep("x", "b", "node2", "cali2", "10.0.1.2", "pod=b")));
        assertThat(inet(V4.compile(in, NODE1)).chains()).doesNotContainKey("ep-cali1-in");
        Ruleset onNode2 = V4.compile(in, NodeView.routed("node2"));
        assertThat(inet(onNode2).sets().values()).anySatisfy(s -> assertThat(s.elements()).containsExactly("10.0.1.2"));
    }

    @Test
    void policiesSelectingAPodApplyInCalicoOrderAndTheUnionDecides() {
        String cnp = """
                apiVersion: projectcalico.org/v3
                kind: NetworkPolicy
                metadata: {name: zz-first, namespace: x}
                spec: {order: 5, selector: pod == 'a', ingress: [{action: Deny, protocol: UDP}]}
                ---
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata: {name: unordered}
                spec: {selector: all(), ingress: [{action: Allow}]}
                ---
                apiVersion: projectcalico.org/v3
                kind: NetworkPolicy
                metadata: {name: aa-tie, namespace: x}
                spec: {order: 1000, selector: all(), ingress: [{action: Log}]}
                """;
        List<Resource> res = new ArrayList<>(yaml(cnp));
        res.add(one(ALLOW_FROM_B));
        res.add(ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a"));
        assertThat(policyList(V4.compile(inputs(res), NODE1), "ep-cali1-in")).containsExactly(
                "ct state invalid drop",
                "jump pol-cnp.x.zz-first-in",
                "jump pol-cnp.x.aa-tie-in",      // order 1000, "x/aa-tie" < "x/knp.default.allow-b"
                "jump pol-knp.x.allow-b-in",
                "jump pol-gnp.unordered-in",     // no order: last
                "drop comment \"default deny: no rule of 4 policies allowed it\"");
    }

    @Test
    void theRuleCountDoesNotGrowWithPods() {
        List<Resource> few = new ArrayList<>(List.of(one(ALLOW_FROM_B), ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a")));
        List<Resource> many = new ArrayList<>(few);
        for (int i = 0; i < 200; i++) many.add(ep("x", "b" + i, "node" + (i % 7 + 2), "calib" + i, "10.1." + (i / 250) + "." + (i % 250 + 1), "pod=b"));
        few.add(ep("x", "b", "node2", "calib", "10.1.0.1", "pod=b"));
        Ruleset small = V4.compile(inputs(few), NODE1);
        Ruleset big = V4.compile(inputs(many), NODE1);
        assertThat(big.stats().rules()).isEqualTo(small.stats().rules());
        assertThat(big.stats().setElements() - small.stats().setElements()).isEqualTo(199);
    }

    @Test
    void aLabelChangeIsSetElementsAndDispatchNotRules() {
        WorkloadEndpoint a = ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a");
        WorkloadEndpoint b = ep("x", "b", "node1", "cali2", "10.0.0.2", "pod=c");
        PolicyInputs before = inputs(List.of(one(ALLOW_FROM_B), a, b));
        Ruleset r0 = V4.compile(before, NODE1);
        // b gets the label the policy's peer selector wants: b's address joins the set, nothing else changes
        Ruleset r1 = V4.compile(before.upsert(b.withLabels(Map.of("pod", "b"))), NODE1);
        RulesetDiff d = RulesetDiff.between(r0, r1);
        var delta = d.deltas().getFirst();
        assertThat(d.replacedTables()).isEmpty();
        assertThat(delta.chainsChanged()).isEmpty();
        assertThat(delta.chainsAdded()).isEmpty();
        assertThat(delta.elementsAdded().values()).containsExactly(new java.util.LinkedHashSet<>(List.of("10.0.0.2")));
        assertThat(d.render()).isEqualTo("add element inet podnet-policy " + delta.elementsAdded().keySet().iterator().next() + " { 10.0.0.2 }\n");
        // a loses the label that made the policy select it: its chain and dispatch go, the now unused policy chain too
        Ruleset r2 = V4.compile(before.upsert(a.withLabels(Map.of("pod", "z"))), NODE1);
        RulesetDiff d2 = RulesetDiff.between(r0, r2);
        assertThat(d2.deltas().getFirst().chainsRemoved()).hasSize(3).contains("ep-cali1-in", "pol-knp.x.allow-b-in")
                .anySatisfy(c -> assertThat(c).startsWith("policies-"));
        assertThat(d2.deltas().getFirst().mapElementsDeleted()).containsOnlyKeys("to-iface");
        assertThat(d2.render()).contains("delete element inet podnet-policy to-iface { \"cali1\" }");
    }

    @Test
    void aPolicyChangeRewritesOnlyThatPolicysChain() {
        String other = ALLOW_FROM_B.replace("allow-b", "other").replace("port: 80", "port: 443");
        PolicyInputs in = inputs(List.of(one(ALLOW_FROM_B), one(other), ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a")));
        Ruleset r0 = V4.compile(in, NODE1);
        Ruleset r1 = V4.compile(in.upsert(one(ALLOW_FROM_B.replace("port: 80", "port: 8080"))), NODE1);
        RulesetDiff d = RulesetDiff.between(r0, r1);
        assertThat(d.deltas()).hasSize(1);
        assertThat(d.deltas().getFirst().chainsChanged()).extracting(Chain::name).containsExactly("pol-knp.x.allow-b-in");
        assertThat(d.summary().elementsAdded() + d.summary().elementsDeleted()).isZero();
        assertThat(d.render()).startsWith("flush chain inet podnet-policy pol-knp.x.allow-b-in\nadd rule inet podnet-policy pol-knp.x.allow-b-in ip saddr @sel-");
        assertThat(RulesetDiff.between(r1, r1).isEmpty()).isTrue();
    }

    @Test
    void aPolicyInAMissingNamespaceOrANamedPortNoPodHasSelectsNothing() {
        String ghost = ALLOW_FROM_B.replace("namespace: x", "namespace: ghost");
        String nsPeer = """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: from-ns, namespace: x}
                spec:
                  podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {team: nobody}}}]
                  - ports: [{port: no-such-port}]
                """;
        PolicyInputs in = inputs(List.of(one(ghost), one(nsPeer), ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a",
                new NamedPort("web", Protocol.TCP, 80))));
        Ruleset r = V4.compile(in, NODE1);
        assertThat(inet(r).chains()).doesNotContainKey("pol-knp.ghost.allow-b-in");
        assertThat(policyList(r, "ep-cali1-in")).contains("jump pol-knp.x.from-ns-in").last().asString().startsWith("drop");
        // both rules of from-ns are there and match nothing: empty sets
        List<String> pol = rules(r, "pol-knp.x.from-ns-in");
        assertThat(pol).hasSize(2);
        assertThat(inet(r).sets().values()).filteredOn(s -> !s.name().equals("routed-ifaces")).allSatisfy(s -> assertThat(s.elements()).isEmpty());
    }

    @Test
    void typesDecideWhichDirectionsAPolicyIsolates() {
        String egressOnly = """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: e, namespace: x}
                spec: {podSelector: {}, policyTypes: [Egress], ingress: [{}]}
                """;
        Ruleset r = V4.compile(inputs(List.of(one(egressOnly), ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a"))), NODE1);
        assertThat(inet(r).chains()).containsKey("ep-cali1-out").doesNotContainKey("ep-cali1-in");
        assertThat(rules(r, "pol-knp.x.e-out")).isEmpty(); // no egress rules: deny all egress
    }

    @Test
    void passGoesToTheProfile() {
        String pass = """
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata: {name: p}
                spec: {selector: all(), ingress: [{action: Pass, protocol: TCP}]}
                """;
        PolicyInputs in = inputs(List.of(one(pass), ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a")));
        assertThat(rules(V4.compile(in, NODE1), "pol-gnp.p-in")).containsExactly("meta l4proto tcp accept comment \"ingress[0]\"");
        PolicyCompiler noProfile = new PolicyCompiler(new CompileOptions(CompileOptions.DEFAULT_TABLE, Set.of(IpFamily.V4), false));
        assertThat(rules(noProfile.compile(in, NODE1), "pol-gnp.p-in")).containsExactly("meta l4proto tcp drop comment \"ingress[0]\"");
    }

    @Test
    void globalNetworkSetsOnlyJoinSetsThatMayHoldThem() {
        String res = """
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkSet
                metadata: {name: s, labels: {role: db}}
                spec: {nets: [192.0.2.0/24, 192.0.2.128/25, 10.0.0.9]}
                ---
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata: {name: g}
                spec: {selector: all(), ingress: [{action: Allow, source: {selector: role == 'db'}}]}
                ---
                apiVersion: projectcalico.org/v3
                kind: NetworkPolicy
                metadata: {name: n, namespace: x}
                spec:
                  selector: all()
                  ingress:
                  - {action: Allow, source: {selector: role == 'db'}}
                  - {action: Allow, source: {selector: role == 'db', namespaceSelector: global()}}
                """;
        List<Resource> all = new ArrayList<>(yaml(res));
        all.add(ep("x", "a", "node1", "cali1", "10.0.0.1", "role=db"));
        Ruleset r = V4.compile(inputs(all), NODE1);
        var sets = inet(r).sets();
        assertThat(sets.values()).anySatisfy(s -> {  // global policy, no namespaceSelector: endpoints and network sets, disjoint
            assertThat(s.comment()).isEqualTo("cluster: role == 'db'");
            assertThat(s.elements()).containsExactly("10.0.0.1", "10.0.0.9", "192.0.2.0/24");
        });
        assertThat(sets.values()).anySatisfy(s -> {  // namespaced policy: its namespace's endpoints only
            assertThat(s.comment()).isEqualTo("ns x: role == 'db'");
            assertThat(s.elements()).containsExactly("10.0.0.1");
        });
        assertThat(sets.values()).anySatisfy(s -> {  // global(): network sets only
            assertThat(s.comment()).isEqualTo("namespaces global(): role == 'db'");
            assertThat(s.elements()).containsExactly("10.0.0.9", "192.0.2.0/24");
        });
    }

    @Test
    void twoEndpointsClaimingOneInterfaceCompileDeterministically() {
        PolicyInputs in = inputs(List.of(one(ALLOW_FROM_B), ep("x", "a", "node1", "cali1", "10.0.0.1", "pod=a"), ep("x", "a2", "node1", "cali1", "10.0.0.9", "pod=a")));
        assertThat(V4.compile(in, NODE1)).isEqualTo(V4.compile(inputs(List.of(in.all().get(2), in.all().get(1), in.all().get(0))), NODE1));
        assertThat(inet(V4.compile(in, NODE1)).chains().get("ep-cali1-in").comment()).contains("x/a ");
    }

    @Test
    void endpointsWithTheSamePoliciesShareOnePolicyListChain() {
        List<Resource> res = new ArrayList<>(List.of(one(ALLOW_FROM_B)));
        for (int i = 0; i < 50; i++) res.add(ep("x", "a" + i, "node1", "cali" + i, "10.0.0." + (i + 1), "pod=a"));
        Ruleset r = V4.compile(inputs(res), NODE1);
        assertThat(inet(r).chains().keySet()).filteredOn(c -> c.startsWith("policies-")).hasSize(1);
        assertThat(inet(r).chains().keySet()).filteredOn(c -> c.startsWith("ep-")).hasSize(50);
        // one goto per endpoint; the jumps exist once
        assertThat(r.stats().rules()).isEqualTo(50 + 3 + 1 + 2 + 2 + 2 + 1); // gotos, list, policy, three base chains, anti-spoofing
    }

    @Test
    void aCompilerThatReusesItsPreviousChainsGivesWhatAFreshOneGives() {
        PolicyCompiler longLived = new PolicyCompiler(CompileOptions.DEFAULTS);
        java.util.Random rnd = new java.util.Random(42);
        List<Resource> res = new ArrayList<>(yaml("""
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkSet
                metadata: {name: s, labels: {pod: b}}
                spec: {nets: [192.0.2.0/24]}
                """));
        res.add(one(ALLOW_FROM_B));
        for (int i = 0; i < 12; i++) res.add(ep(i % 2 == 0 ? "x" : "y", "p" + i, "node" + (i % 3 + 1), "cali" + i, "10.0.0." + (i + 1), "pod=" + "abc".charAt(i % 3)));
        PolicyInputs in = inputs(res);
        for (int step = 0; step < 40; step++) {
            int i = rnd.nextInt(12);
            switch (rnd.nextInt(3)) {
                case 0 -> in = in.upsert(ep(i % 2 == 0 ? "x" : "y", "p" + i, "node" + (i % 3 + 1), "cali" + i, "10.0.0." + (i + 1), "pod=" + "abc".charAt(rnd.nextInt(3))));
                case 1 -> in = in.upsert(one(ALLOW_FROM_B.replace("port: 80", "port: " + (80 + rnd.nextInt(3))).replace("pod: a", "pod: " + "abc".charAt(rnd.nextInt(3)))));
                default -> in = rnd.nextBoolean() ? in.delete(one(ALLOW_FROM_B).key()) : in.upsert(one(ALLOW_FROM_B.replace("allow-b", "extra")));
            }
            assertThat(longLived.compile(in, NODE1)).as("step " + step).isEqualTo(new PolicyCompiler(CompileOptions.DEFAULTS).compile(in, NODE1));
        }
    }
}
