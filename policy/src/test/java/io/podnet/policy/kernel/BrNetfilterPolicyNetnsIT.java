package io.podnet.policy.kernel;

import static io.podnet.policy.kernel.PolicyLab.allow;
import static io.podnet.policy.kernel.PolicyLab.deny;

import io.podnet.testkit.Netns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The same ruleset on a plain bridge with br_netfilter on (no port isolation, pods talk L2 directly): bridged
 * pod-to-pod packets pass the inet forward hook as bridged packets, so the address dispatch still applies. The
 * bridged wiring podnet uses does not need this; it is here so that a node where br_netfilter is loaded (for
 * kube-proxy) enforces the same policy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrNetfilterPolicyNetnsIT {
    PolicyLab lab;

    @BeforeAll
    void setUp() {
        Assumptions.assumeTrue(Netns.privileged(), "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) to create network namespaces");
        Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/sys/net/bridge/bridge-nf-call-iptables")),
                "needs br_netfilter (net.bridge.bridge-nf-call-iptables)");
        lab = PolicyLab.create(PolicyLab.Wiring.BRIDGED_BR_NETFILTER, PolicySemanticsNetnsBase.PODS);
    }

    @AfterAll
    void tearDown() {
        if (lab != null) lab.close();
    }

    @Test
    void bridgedTrafficIsFilteredStatefullyAndFollowsLabelChanges() {
        var policy = PolicySemanticsNetnsBase.yaml("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: from-b, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: a}}
                  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {pod: b}}}], ports: [{port: 80}]}]
                """);
        lab.apply(lab.compile(policy));
        lab.expect(allow("y/b", "x/a", "tcp/80"), deny("y/b", "x/a", "tcp/81"), deny("y/a", "x/a", "tcp/80"),
                allow("x/a", "z/c", "udp/80"), allow("node", "x/a", "tcp/81"));
        lab.relabel("y/a", Map.of("pod", "b"));
        lab.applyDiff(lab.compile(policy));
        lab.expect(allow("y/a", "x/a", "tcp/80"));
        lab.applyDiff(lab.compile(List.of()));
        lab.expect(allow("z/c", "x/a", "tcp/81"));
    }
}
