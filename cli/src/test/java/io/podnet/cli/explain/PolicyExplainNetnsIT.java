package io.podnet.cli.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.policy.codec.ResourceDecoder;
import io.podnet.policy.compile.CompileOptions;
import io.podnet.policy.compile.PolicyCompiler;
import io.podnet.policy.compile.PolicyInputs;
import io.podnet.rtnetlink.NetNs;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Explain over network policy as the policy module compiles it, on a calico-style routed node in throwaway
 * namespaces: host veths {@code ee:ee:ee:ee:ee:ee}, /32 routes, the pods' gateway 169.254.1.1, the ruleset
 * loaded with {@code nft -f}. Each case is checked with real pings first; explain must name the policy's rule,
 * the default deny of the endpoint's policy list, or the anti-spoofing rule ({@code fib saddr . iif oif missing}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyExplainNetnsIT {
    static final String POLICY = """
            apiVersion: projectcalico.org/v3
            kind: NetworkPolicy
            metadata: {name: ping-from-a, namespace: x}
            spec:
              selector: pod == 'b'
              ingress:
              - action: Allow
                protocol: ICMP
                source: {selector: pod == 'a'}
            """;

    Netns node;
    Netns a;
    Netns b;
    Netns c;
    String ifA;
    String ifB;
    String ifC;

    @BeforeAll
    void setUp() throws Exception {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        node = Netns.create("pen");
        node.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").check();
        Sh.ip(node.name(), "addr", "add", "10.72.0.254/32", "dev", "lo");
        a = Netns.create("pea");
        b = Netns.create("peb");
        c = Netns.create("pec");
        ifA = pod(a, "10.72.0.1");
        ifB = pod(b, "10.72.0.2");
        ifC = pod(c, "10.72.0.3");
        String endpoints = endpoint("x", "a", ifA, "10.72.0.1") + endpoint("x", "b", ifB, "10.72.0.2") + endpoint("y", "c", ifC, "10.72.0.3");
        String nft = new PolicyCompiler(CompileOptions.DEFAULTS.withFamilies(Set.of(IpFamily.V4)))
                .compile(PolicyInputs.of(ResourceDecoder.decode(POLICY + endpoints, "default")), io.podnet.policy.compile.NodeView.routed("node1"))
                .render();
        Path file = Files.createTempFile(RunId.prefix() + "policy", ".nft");
        try {
            Files.writeString(file, nft);
            node.exec("nft", "-f", file.toString()).check();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @AfterAll
    void tearDown() {
        for (Netns n : new Netns[] {a, b, c, node}) if (n != null) n.close();
    }

    /** A routed pod as podnet's calico mode wires it; returns the host end's name. */
    private String pod(Netns pod, String ip) {
        String hostIf = RunId.name("v");
        Sh.ip(node.name(), "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", pod.name());
        Sh.ip(node.name(), "link", "set", hostIf, "address", "ee:ee:ee:ee:ee:ee", "up");
        Sh.ip(pod.name(), "addr", "add", ip + "/32", "dev", "eth0");
        Sh.ip(pod.name(), "link", "set", "eth0", "up");
        Sh.ip(pod.name(), "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        Sh.ip(pod.name(), "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
        Sh.ip(pod.name(), "neigh", "add", "169.254.1.1", "lladdr", "ee:ee:ee:ee:ee:ee", "dev", "eth0", "nud", "permanent");
        Sh.ip(node.name(), "route", "add", ip + "/32", "dev", hostIf, "scope", "link");
        return hostIf;
    }

    private static String endpoint(String ns, String name, String iface, String ip) {
        return "---\napiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata: {name: " + name + ", namespace: " + ns
                + ", labels: {pod: " + name + "}}\nspec: {node: node1, interfaceName: " + iface + ", ipNetworks: [" + ip + "/32]}\n";
    }

    Explanation explain(String src, String dst) throws Exception {
        Cluster cluster = new Cluster(NodeView.read(NetNs.named(node.name()), "node1", List.of()), ControlPlane.NONE, Optional.empty());
        return PathWalker.explain(cluster, new Flow(IpAddress.parse(src), IpAddress.parse(dst), Flow.Proto.ICMP, 0, 84, true));
    }

    private static boolean ping(Netns from, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ping", "-c", "1", "-W", "1"));
        cmd.addAll(List.of(args));
        return from.exec(cmd.toArray(String[]::new)).ok();
    }

    @Test
    void anAllowedFlowNamesThePolicyRuleThatAcceptsIt() throws Exception {
        assertThat(ping(a, "10.72.0.2")).isTrue();
        Explanation e = explain("10.72.0.1", "10.72.0.2");
        assertThat(e.reachable()).as(e.render(true)).isTrue();
        assertThat(e.forward().hops()).as(e.render(true)).anyMatch(h -> h.ns().equals(node.name()) && h.kind() == Hop.Kind.NFT
                && h.text().contains("pol-cnp.x.ping-from-a-in") && h.text().contains("ingress[0]") && h.text().contains("accept"));
        assertThat(e.forward().hops()).noneMatch(h -> h.status() == Hop.Status.UNCERTAIN);
    }

    @Test
    void aFlowNoRuleAllowsStopsAtTheDefaultDenyOfTheEndpointsPolicies() throws Exception {
        assertThat(ping(c, "10.72.0.2")).isFalse();
        Explanation e = explain("10.72.0.3", "10.72.0.2");
        Hop stop = e.failing().stop().orElseThrow();
        assertThat(stop).as(e.render(true)).extracting(Hop::ns, Hop::kind).containsExactly(node.name(), Hop.Kind.NFT);
        assertThat(stop.text()).contains("ep-" + ifB + "-in").contains("default deny").contains("drop");
        // b itself is not selected for egress: its ping to c passes
        assertThat(ping(b, "10.72.0.3")).isTrue();
        assertThat(explain("10.72.0.2", "10.72.0.3").reachable()).isTrue();
    }

    /**
     * The anti-spoofing chain (prerouting, priority raw) drops before conntrack: a counter in a chain of our
     * own just after it (raw + 1) sees pod c's packets to a only when they carry c's own source.
     */
    @Test
    void aSpoofedSourceStopsAtTheAntiSpoofingRule() throws Exception {
        String probe = RunId.name("probe");
        node.exec("nft", "add table ip " + probe + " ; add chain ip " + probe + " pre { type filter hook prerouting priority -299 ; }"
                + " ; add rule ip " + probe + " pre ip daddr 10.72.0.1 icmp type echo-request counter").check();
        Sh.ip(c.name(), "addr", "add", "10.72.0.9/32", "dev", "eth0");
        try {
            assertThat(ping(c, "-I", "10.72.0.9", "10.72.0.1")).isFalse();
            assertThat(counted(probe)).isZero();
            assertThat(ping(c, "10.72.0.1")).isTrue();
            assertThat(counted(probe)).isEqualTo(1);

            Explanation e = explain("10.72.0.9", "10.72.0.1");
            Hop stop = e.failing().stop().orElseThrow();
            assertThat(stop).as(e.render(true)).extracting(Hop::ns, Hop::kind).containsExactly(node.name(), Hop.Kind.NFT);
            assertThat(stop.text()).contains("prerouting").contains("prerouting-antispoof").contains("spoofed source");
            Explanation honest = explain("10.72.0.3", "10.72.0.1");
            assertThat(honest.reachable()).as(honest.render(true)).isTrue();
            assertThat(honest.forward().hops()).noneMatch(h -> h.status() == Hop.Status.UNCERTAIN);
        } finally {
            Sh.run("ip", "-n", c.name(), "addr", "del", "10.72.0.9/32", "dev", "eth0");
            node.exec("nft", "delete", "table", "ip", probe);
        }
    }

    private long counted(String probe) {
        String out = node.exec("nft", "list", "chain", "ip", probe, "pre").check().out();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1));
    }
}
