package io.podnet.cli.explain.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cli.explain.nft.NftEvaluator.HookResult;
import io.podnet.cli.explain.nft.NftEvaluator.Verdict;
import io.podnet.net.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The evaluator against rulesets captured from the kernel (see captures/nft/README.md). */
class NftEvaluatorTest {

    static NftRuleset load(String name) throws IOException {
        return NftRuleset.parse(resource(name + ".json")).withText(resource(name + ".nft"));
    }

    static String resource(String path) throws IOException {
        try (InputStream in = NftEvaluatorTest.class.getResourceAsStream("/captures/nft/" + path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static PacketView tcp(String src, String dst, int dport, String in, String out, String ct) {
        return new PacketView(IpAddress.parse(src), IpAddress.parse(dst), PacketView.TCP, 40000, dport, 0, in, out, 0, ct,
                ct.equals("new") ? "original" : "reply", Set.of());
    }

    static PacketView udp(String src, String dst, int sport, int dport, String in, String out) {
        return new PacketView(IpAddress.parse(src), IpAddress.parse(dst), PacketView.UDP, sport, dport, 0, in, out, 0, "new",
                "original", Set.of());
    }

    static PacketView ping(String src, String dst, String in, String out) {
        return new PacketView(IpAddress.parse(src), IpAddress.parse(dst), PacketView.ICMP, 0, 0, 8, in, out, 0, "new",
                "original", Set.of());
    }

    @Test
    void interfaceRuleAcceptsTrafficLeavingTheBridgeAndQuotesTheRule() throws IOException {
        HookResult r = new NftEvaluator(load("mixed-forward")).evaluate("forward", tcp("10.244.5.5", "10.244.1.7", 80, "cni0", "flannel.1", "new"));
        assertThat(r.verdict()).isEqualTo(Verdict.ACCEPT);
        assertThat(r.decidedBy().orElseThrow().handle()).isEqualTo(10);
        assertThat(r.decidedBy().orElseThrow().describe()).contains("iifname \"cni0\" oifname != \"cni0\" accept").contains("ip filter FORWARD");
    }

    @Test
    void anonymousSetsOfPrefixesAndPortsMatch() throws IOException {
        HookResult r = new NftEvaluator(load("mixed-forward")).evaluate("forward", tcp("10.244.5.5", "10.244.1.7", 443, "eth0", "cni0", "new"));
        assertThat(r.decidedBy().orElseThrow().handle()).isEqualTo(13);
        HookResult other = new NftEvaluator(load("mixed-forward")).evaluate("forward", tcp("10.244.5.5", "10.244.2.5", 80, "eth0", "cni0", "new"));
        assertThat(other.decidedBy().orElseThrow().handle()).isEqualTo(13);
    }

    @Test
    void rangeAndPortDropUdp() throws IOException {
        HookResult r = new NftEvaluator(load("mixed-forward")).evaluate("forward", udp("10.3.3.3", "10.0.0.5", 5000, 53, "eth0", "eth1"));
        assertThat(r.verdict()).isEqualTo(Verdict.DROP);
        assertThat(r.decidedBy().orElseThrow().handle()).isEqualTo(14);
    }

    @Test
    void icmpTypeByName() throws IOException {
        HookResult r = new NftEvaluator(load("mixed-forward")).evaluate("forward", ping("10.3.3.3", "10.50.0.1", "eth0", "eth1"));
        assertThat(r.verdict()).isEqualTo(Verdict.ACCEPT);
        assertThat(r.decidedBy().orElseThrow().handle()).isEqualTo(15);
    }

    @Test
    void jumpIntoAPolicyChainDropsWithItsCommentAndPath() throws IOException {
        HookResult r = new NftEvaluator(load("mixed-forward")).evaluate("forward", tcp("10.3.3.3", "10.50.0.1", 8080, "eth0", "eth1", "new"));
        assertThat(r.verdict()).isEqualTo(Verdict.DROP);
        NftEvaluator.Step s = r.decidedBy().orElseThrow();
        assertThat(s.handle()).isEqualTo(8);
        assertThat(s.comment()).contains("policy deny");
        assertThat(s.chainPath()).isEqualTo("ip filter FORWARD → pol");
        assertThat(r.steps()).extracting(NftEvaluator.Step::effect).containsExactly("jump pol", "drop");
    }

    @Test
    void establishedTrafficIsAcceptedFirst() throws IOException {
        HookResult r = new NftEvaluator(load("mixed-forward")).evaluate("forward", tcp("10.3.3.3", "10.50.0.1", 22, "eth0", "eth1", "established"));
        assertThat(r.decidedBy().orElseThrow().handle()).isEqualTo(9);
    }

    @Test
    void namedVerdictMapJumpsAndReturnFallsThroughToIptablesRulesAndThePolicy() throws IOException {
        NftEvaluator e = new NftEvaluator(load("mixed-forward"));
        HookResult denied = e.evaluate("forward", tcp("10.3.3.3", "10.244.1.2", 22, "eth0", "cni0", "new"));
        assertThat(denied.steps()).extracting(NftEvaluator.Step::effect).containsExactly("jump pol", "drop");
        assertThat(denied.steps().getFirst().handle()).isEqualTo(19);

        HookResult returned = e.evaluate("forward", tcp("10.9.9.9", "10.244.1.2", 22, "eth0", "cni0", "new"));
        assertThat(returned.verdict()).isEqualTo(Verdict.DROP);
        assertThat(returned.steps()).extracting(NftEvaluator.Step::effect)
                .containsExactly("jump pol", "return", "jump DOCKER-USER", "return", "drop");
        assertThat(returned.decidedBy().orElseThrow().rule()).isEqualTo("policy drop");
        assertThat(returned.unevaluated()).hasSize(2).anyMatch(u -> u.contains("'conntrack'")).anyMatch(u -> u.contains("'addrtype'"));
    }

    @Test
    void anonymousVerdictMapAndAProtocolDependencyThatFails() throws IOException {
        NftEvaluator e = new NftEvaluator(load("mixed-forward"));
        assertThat(e.evaluate("forward", tcp("10.3.3.3", "10.50.0.1", 9090, "eth0", "eth1", "new")).verdict())
                .as("tcp dport != 22 jumps to pol first, which drops new flows").isEqualTo(Verdict.DROP);
        // udp 9090: `tcp dport != 22` and `tcp dport vmap` do not apply to UDP at all
        HookResult u = e.evaluate("forward", udp("10.3.3.3", "10.50.0.1", 5000, 9090, "eth0", "eth1"));
        assertThat(u.steps()).extracting(NftEvaluator.Step::effect).containsExactly("jump DOCKER-USER", "return", "drop");
    }

    @Test
    void natChainsRewriteOnlyTheFirstPacket() throws IOException {
        NftEvaluator e = new NftEvaluator(load("mixed-forward"));
        HookResult pre = e.evaluate("prerouting", tcp("10.3.3.3", "1.2.3.4", 80, "eth0", "", "new"));
        assertThat(pre.nat().orElseThrow().kind()).isEqualTo("dnat");
        assertThat(pre.after().dst()).isEqualTo(IpAddress.parse("10.244.1.2"));
        assertThat(pre.after().dport()).isEqualTo(8080);
        assertThat(e.evaluate("prerouting", tcp("10.3.3.3", "1.2.3.4", 80, "eth0", "", "established")).nat()).isEmpty();
        HookResult post = e.evaluate("postrouting", tcp("10.244.1.2", "8.8.8.8", 80, "cni0", "eth0", "new"));
        assertThat(post.nat().orElseThrow().kind()).isEqualTo("masquerade");
        HookResult snat = e.evaluate("postrouting", tcp("10.1.1.1", "8.8.8.8", 80, "cni0", "eth1", "new"));
        assertThat(snat.after().src()).isEqualTo(IpAddress.parse("1.1.1.1"));
    }

    @Test
    void workloadChainsByWildcardMarkConcatenationAndFib() throws IOException {
        NftEvaluator e = new NftEvaluator(load("calico-like-policy"));
        HookResult allowed = e.evaluate("forward", tcp("10.244.1.2", "10.244.9.9", 80, "cali1234", "eth0", "new"));
        assertThat(allowed.verdict()).isEqualTo(Verdict.ACCEPT);
        assertThat(allowed.decidedBy().orElseThrow().comment()).contains("pol=allow-svc");
        assertThat(allowed.after().mark()).isEqualTo(0x10000);

        assertThat(allowed.decidedBy().orElseThrow().chainPath()).isEqualTo("inet pol pn_forward ⇒ pn_from_wl");

        HookResult toWorkload = e.evaluate("forward", udp("10.244.9.9", "10.244.1.2", 5000, 53, "eth0", "cali1234"));
        assertThat(toWorkload.verdict()).isEqualTo(Verdict.REJECT);
        assertThat(toWorkload.decidedBy().orElseThrow().describe()).contains("pol=deny-udp").contains("inet pol pn_forward → pn_to_wl");

        PacketView toHost = new PacketView(IpAddress.parse("10.244.1.3"), IpAddress.parse("192.168.0.1"), PacketView.TCP, 1, 22, 0,
                "cali9", "eth0", 0, "new", "original", Set.of(IpAddress.parse("192.168.0.1")));
        assertThat(e.evaluate("forward", toHost).decidedBy().orElseThrow().comment()).contains("no host access");
        assertThat(e.evaluate("input", toHost.withIfaces("cali9", "")).verdict()).isEqualTo(Verdict.DROP);
    }

    @Test
    void noBaseChainMeansAccept() {
        HookResult r = new NftEvaluator(NftRuleset.EMPTY).evaluate("forward", tcp("10.0.0.1", "10.0.0.2", 1, "a", "b", "new"));
        assertThat(r.verdict()).isEqualTo(Verdict.ACCEPT);
        assertThat(r.steps()).isEmpty();
    }

    /** The namespace's routes as {@code fib} sees them: each workload address behind its veth, nothing else. */
    static final Fib ROUTES = (dst, src, mark) -> switch (dst.toString()) {
        case "10.244.1.2" -> Fib.Result.via("cali1");
        case "10.244.1.3" -> Fib.Result.via("cali2");
        default -> Fib.Result.none();
    };

    static PacketView withFib(PacketView p, Fib fib) {
        return new PacketView(p.src(), p.dst(), p.l4proto(), p.sport(), p.dport(), p.icmpType(), p.iifname(), p.oifname(), p.mark(),
                p.ctState(), p.ctDirection(), p.localAddresses(), fib);
    }

    @Test
    void fibReversePathLookupDropsASourceThatDoesNotRouteBackThroughItsInterface() throws IOException {
        NftEvaluator e = new NftEvaluator(load("antispoof"));
        HookResult honest = e.evaluate("prerouting", withFib(ping("10.244.1.2", "10.244.1.3", "cali1", ""), ROUTES));
        assertThat(honest.verdict()).isEqualTo(Verdict.ACCEPT);
        assertThat(honest.unevaluated()).isEmpty();

        HookResult spoofed = e.evaluate("prerouting", withFib(ping("10.244.1.3", "10.244.1.2", "cali1", ""), ROUTES));
        assertThat(spoofed.verdict()).isEqualTo(Verdict.DROP);
        assertThat(spoofed.decidedBy().orElseThrow().comment()).contains("spoofed source");
        HookResult unknownSource = e.evaluate("prerouting", withFib(ping("10.9.9.9", "10.244.1.2", "cali2", ""), ROUTES));
        assertThat(unknownSource.verdict()).isEqualTo(Verdict.DROP);

        HookResult toWorkload = e.evaluate("prerouting", withFib(ping("192.0.2.7", "10.244.1.3", "eth0", ""), ROUTES));
        assertThat(toWorkload.decidedBy().orElseThrow().comment()).contains("to a workload");

        HookResult noRoutes = e.evaluate("prerouting", ping("10.244.1.3", "10.244.1.2", "cali1", ""));
        assertThat(noRoutes.verdict()).isEqualTo(Verdict.ACCEPT);
        assertThat(noRoutes.unevaluated()).singleElement().asString().contains("fib");
    }
}
