package io.podnet.policy.kernel;

import static io.podnet.policy.kernel.PolicyLab.allow;
import static io.podnet.policy.kernel.PolicyLab.deny;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.policy.codec.ResourceDecoder;
import io.podnet.policy.model.InvalidResourceException;
import io.podnet.policy.model.Resource;
import io.podnet.policy.nft.Ruleset;
import io.podnet.testkit.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Network policy semantics checked with real nft and real traffic: each test compiles Kubernetes and Calico
 * policies for a one-node lab ({@link PolicyLab}: pods x/a, x/b, y/a, y/b, z/c with TCP and UDP echo servers on
 * ports 80 and 81), loads the ruleset in the node namespace and probes. Subclasses choose the wiring; the same
 * expectations hold for all of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PolicySemanticsNetnsBase {
    static final List<String> PODS = List.of(
            "x/a pod=a serve-80=80/TCP",
            "x/b pod=b serve-80=81/TCP serve-81=81/UDP",
            "y/a pod=a",
            "y/b pod=b",
            "z/c pod=c");

    PolicyLab lab;

    abstract PolicyLab.Wiring wiring();

    @BeforeAll
    void setUp() {
        Assumptions.assumeTrue(Netns.privileged(), "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) to create network namespaces");
        Assumptions.assumeTrue(io.podnet.testkit.Sh.has("nft") && io.podnet.testkit.Sh.has("socat"), "needs nft and socat");
        lab = PolicyLab.create(wiring(), PODS);
    }

    @AfterAll
    void tearDown() {
        if (lab != null) lab.close();
    }

    @BeforeEach
    void startFromNoPolicies() {
        for (String id : List.of("x/a", "x/b", "y/a", "y/b", "z/c")) lab.relabel(id, lab.pod(id).labels());
        lab.apply(lab.compile(List.of()));
    }

    static List<Resource> yaml(String text) {
        try {
            return ResourceDecoder.decode(text, "default");
        } catch (InvalidResourceException e) {
            throw new IllegalArgumentException(e);
        }
    }

    String subnet() {
        return wiring() == PolicyLab.Wiring.ROUTED ? "10.70.0.0/16" : "10.71.0.0/16";
    }

    String host(String pod) {
        return lab.pod(pod).ip() + "/32";
    }

    @Test
    void withoutPoliciesEverythingFlows() {
        lab.expect(allow("x/a", "x/b", "tcp/80"), allow("y/a", "x/a", "udp/81"), allow("z/c", "y/b", "icmp"), allow("node", "x/a", "tcp/81"),
                allow("x/a", "node", "icmp"));
    }

    @Test
    void aSelectedPodIsDeniedWhatNoRuleAllowsWhileItsOwnConnectionsAndTheNodeStillReachIt() {
        lab.apply(lab.compile(yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-all, namespace: x}
                spec: {podSelector: {}}
                """)));
        lab.expect(deny("y/a", "x/a", "tcp/80"), deny("x/b", "x/a", "tcp/81"), deny("z/c", "x/b", "udp/80"), deny("y/a", "x/a", "icmp"),
                allow("y/a", "y/b", "tcp/80"),          // y is not selected
                allow("x/a", "y/a", "tcp/80"),          // x/a's own connection: the reply enters x/a (conntrack)
                allow("x/a", "y/b", "udp/81"),
                allow("node", "x/a", "tcp/80"));        // the node reaches its pods (kubelet probes)
    }

    @Test
    void egressIsolatesOnlyEgressAndRepliesStillLeave() {
        lab.apply(lab.compile(yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: egress-a, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{namespaceSelector: {matchLabels: {ns: y}}}]
                    ports: [{protocol: TCP, port: 80}]
                """)));
        lab.expect(allow("x/a", "y/a", "tcp/80"), deny("x/a", "y/a", "tcp/81"), deny("x/a", "y/b", "udp/80"), deny("x/a", "z/c", "tcp/80"),
                deny("x/a", "node", "icmp"),            // egress to the node itself is egress too
                allow("z/c", "x/a", "tcp/80"),          // ingress is not isolated; x/a's replies leave although its egress is
                allow("x/b", "z/c", "udp/80"));         // x/b is not selected
    }

    @Test
    void bothSelectorsInOnePeerAreAndSeparatePeersAreOr() {
        lab.apply(lab.compile(yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: and, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: or, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: b}}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: y}}}, {podSelector: {matchLabels: {pod: a}}}]
                """)));
        lab.expect(allow("y/a", "x/a", "tcp/80"), deny("y/b", "x/a", "tcp/80"), deny("x/b", "x/a", "tcp/80"), deny("z/c", "x/a", "udp/80"),
                allow("y/a", "x/b", "tcp/81"), allow("y/b", "x/b", "udp/80"), allow("x/a", "x/b", "tcp/80"), deny("z/c", "x/b", "tcp/80"));
    }

    @Test
    void ipBlocksAllowTheirCidrMinusExcept() {
        lab.apply(lab.compile(yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: from-block, namespace: z}
                spec:
                  podSelector: {}
                  ingress:
                  - from: [{ipBlock: {cidr: %s, except: [%s]}}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: to-block, namespace: y}
                spec:
                  podSelector: {matchLabels: {pod: b}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{ipBlock: {cidr: %s, except: [%s]}}]
                """.formatted(subnet(), host("y/b"), subnet(), host("x/b")))));
        lab.expect(allow("y/a", "z/c", "tcp/80"), allow("x/a", "z/c", "udp/81"), deny("y/b", "z/c", "tcp/80"),
                allow("y/b", "x/a", "tcp/80"), deny("y/b", "x/b", "tcp/80"), deny("y/b", "x/b", "icmp"));
    }

    @Test
    void namedPortsResolveOnTheDestinationPodAndEndPortMakesARange() {
        lab.apply(lab.compile(yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: named-in, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  ingress: [{ports: [{port: serve-80}]}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: named-out, namespace: y}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  policyTypes: [Egress]
                  egress:
                  - to: [{namespaceSelector: {}}]
                    ports: [{protocol: UDP, port: serve-81}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: range, namespace: z}
                spec:
                  podSelector: {}
                  ingress:
                  - from: [{namespaceSelector: {matchLabels: {ns: x}}}]
                    ports: [{protocol: TCP, port: 80, endPort: 81}]
                """)));
        lab.expect(allow("y/b", "x/a", "tcp/80"), deny("y/b", "x/a", "tcp/81"), deny("y/b", "x/a", "udp/80"),
                allow("y/a", "x/b", "udp/81"),          // x/b names serve-81 = 81/UDP
                deny("y/a", "x/b", "udp/80"), deny("y/a", "x/b", "tcp/81"),
                deny("y/a", "y/b", "udp/81"),           // y/b names no serve-81
                allow("x/b", "z/c", "tcp/80"), allow("x/b", "z/c", "tcp/81"), deny("x/b", "z/c", "udp/80"), deny("y/b", "z/c", "tcp/80"));
    }

    @Test
    void calicoOrderFirstAllowOrDenyWinsAndPassSkipsToTheProfile() {
        lab.apply(lab.compile(yaml("""
                apiVersion: projectcalico.org/v3
                kind: GlobalNetworkPolicy
                metadata: {name: ping-first}
                spec:
                  order: 5
                  selector: all()
                  ingress: [{action: Allow, protocol: ICMP, icmp: {type: 8}}]
                ---
                apiVersion: projectcalico.org/v3
                kind: NetworkPolicy
                metadata: {name: guard, namespace: x}
                spec:
                  order: 10
                  selector: pod == 'a'
                  ingress:
                  - {action: Deny, source: {selector: pod == 'b', namespaceSelector: ns == 'y'}}
                  - {action: Log}
                  - {action: Pass, source: {namespaceSelector: ns == 'z'}}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: from-y, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]
                """)));
        lab.expect(allow("y/a", "x/a", "tcp/80"),      // Log goes on; the Kubernetes policy (order 1000) allows y
                deny("y/b", "x/a", "tcp/80"),           // Deny at order 10 wins over the later allow
                allow("z/c", "x/a", "udp/81"),          // Pass: straight to the profile (allow), past the K8s default deny
                deny("x/b", "x/a", "tcp/80"),           // selected, nothing allows it
                allow("y/b", "x/a", "icmp"), allow("x/b", "x/a", "icmp")); // the order-5 Allow comes first
    }

    @Test
    void labelChangesMovePodsIntoAndOutOfSelectorsAsSetAndMapElements() {
        List<Resource> policy = yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: from-z-b, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: z}}, podSelector: {matchLabels: {pod: b}}}]}]
                """);
        lab.apply(lab.compile(policy));
        lab.expect(deny("z/c", "x/a", "tcp/80"), deny("y/a", "x/a", "tcp/80"));
        lab.relabel("z/c", Map.of("pod", "b"));                       // into the peer selector
        String tx = lab.applyDiff(lab.compile(policy));
        assertThat(tx).startsWith("add element inet podnet-policy sel-").doesNotContain("flush chain", "add rule");
        lab.expect(allow("z/c", "x/a", "tcp/80"), deny("y/a", "x/a", "tcp/80"));
        lab.relabel("x/a", Map.of("pod", "other"));                   // out of the policy's selector: no longer isolated
        tx = lab.applyDiff(lab.compile(policy));
        assertThat(tx).contains("delete chain inet podnet-policy ep-");
        lab.expect(allow("y/a", "x/a", "tcp/80"), allow("z/c", "x/a", "tcp/80"));
        lab.relabel("x/a", Map.of("pod", "a"));
        lab.relabel("z/c", Map.of("pod", "c"));                       // both back: isolated again, z/c outside
        lab.applyDiff(lab.compile(policy));
        lab.expect(deny("z/c", "x/a", "tcp/80"), deny("y/a", "x/a", "udp/80"));
    }

    @Test
    void policyUpdatesAndDeletionsApplyAsDiffs() {
        String v1 = """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: web, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: b}}
                  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}], ports: [{port: 80}]}]
                """;
        lab.apply(lab.compile(yaml(v1)));
        lab.expect(allow("y/a", "x/b", "tcp/80"), deny("y/a", "x/b", "tcp/81"));
        String tx = lab.applyDiff(lab.compile(yaml(v1.replace("port: 80", "port: 81"))));
        assertThat(tx).startsWith("flush chain inet podnet-policy pol-knp.x.web-in\n");
        assertThat(tx.lines().filter(l -> !l.startsWith("add rule inet podnet-policy pol-knp.x.web-in ")).count()).isEqualTo(1);
        lab.expect(allow("y/a", "x/b", "tcp/81"), deny("y/a", "x/b", "tcp/80"));
        lab.applyDiff(lab.compile(List.of()));
        lab.expect(allow("y/a", "x/b", "tcp/80"), allow("y/a", "x/b", "tcp/81"));
        assertThat(lab.listRuleset()).doesNotContain("pol-knp.x.web-in", "ep-");
    }

    @Test
    void aFailedTransactionLeavesThePreviousRulesetInForce() {
        Ruleset denyAll = lab.compile(yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-all, namespace: x}
                spec: {podSelector: {}}
                """));
        lab.apply(denyAll);
        String before = lab.listRuleset();
        // a diff computed against some other state: it would open x up, but its last command cannot succeed
        String tx = io.podnet.policy.nft.RulesetDiff.between(denyAll, lab.compile(List.of())).render()
                + "delete element inet podnet-policy routed-ifaces { \"nosuchif\" }\n";
        assertThat(lab.nftResult(tx).ok()).isFalse();
        assertThat(lab.listRuleset()).isEqualTo(before);
        lab.expect(deny("y/a", "x/a", "tcp/80"));
    }

    @Test
    void aPodCannotBorrowAnotherPodsAddress() throws Exception {
        lab.apply(lab.compile(yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: only-y-a, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {pod: a}}}]}]
                """)));
        PolicyLab.Pod xa = lab.pod("x/a");
        PolicyLab.Pod ya = lab.pod("y/a");
        PolicyLab.Pod yb = lab.pod("y/b");
        Path log = Files.createTempFile(io.podnet.testkit.RunId.prefix() + "-recv", ".log");
        Process recv = new ProcessBuilder("ip", "netns", "exec", xa.netns().name(), "socat", "-u", "UDP-RECV:82", "OPEN:" + log + ",append")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            io.podnet.testkit.Daemons.awaitTrue("receiver", java.time.Duration.ofSeconds(10),
                    () -> xa.netns().exec("ss", "-Hlun").out().contains(":82 "));
            ya.netns().exec("sh", "-c", "echo genuine | socat -u - UDP:" + xa.ip() + ":82").check();
            io.podnet.testkit.Daemons.awaitTrue("the genuine datagram", java.time.Duration.ofSeconds(10), () -> read(log).contains("genuine"));
            // y/b takes y/a's address (the one the policy allows) and sends from it
            io.podnet.testkit.Sh.ip(yb.netns().name(), "addr", "add", ya.ip() + "/32", "dev", "eth0");
            for (int i = 0; i < 3; i++) yb.netns().exec("sh", "-c", "echo spoofed | timeout 2 socat -u - UDP:" + xa.ip() + ":82,bind=" + ya.ip());
            ya.netns().exec("sh", "-c", "echo marker | socat -u - UDP:" + xa.ip() + ":82").check();
            io.podnet.testkit.Daemons.awaitTrue("the marker datagram", java.time.Duration.ofSeconds(10), () -> read(log).contains("marker"));
            assertThat(read(log)).doesNotContain("spoofed");
            // control: without the anti-spoofing chains the same datagrams get through (and the policy lets them in)
            String family = wiring() == PolicyLab.Wiring.ROUTED ? "inet" : "bridge";
            assertThat(lab.nftResult("flush chain " + family + " podnet-policy prerouting-antispoof\n").ok()).isTrue();
            io.podnet.testkit.Daemons.awaitTrue("a spoofed datagram without anti-spoofing", java.time.Duration.ofSeconds(20), () -> {
                yb.netns().exec("sh", "-c", "echo spoofed | timeout 2 socat -u - UDP:" + xa.ip() + ":82,bind=" + ya.ip());
                return read(log).contains("spoofed");
            });
        } finally {
            io.podnet.testkit.Daemons.killAndWait(recv.pid());
            Files.deleteIfExists(log);
            io.podnet.testkit.Sh.run("ip", "-n", yb.netns().name(), "addr", "del", ya.ip() + "/32", "dev", "eth0");
            io.podnet.testkit.Sh.run("ip", "-n", lab.node().name(), "neigh", "flush", "all"); // y/b may have poisoned the node's cache
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
