package io.podnet.dataplane.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class NftRulesetTest {
    static final IpPrefix PODS = IpPrefix.parse("10.88.0.0/16");
    static final IpPrefix MCAST = IpPrefix.parse("224.0.0.0/4");

    static Chain masq(String net, IpPrefix subnet) {
        return Chain.base(NftName.derive("cni_masq_", net), Hook.srcnat(), List.of(Rule.of(
                List.of(Match.saddr(subnet), Match.daddrNot(subnet), Match.daddrNot(MCAST)), Verdict.MASQUERADE, "podnet net=" + net)));
    }

    static NftRuleset masqueradeAndDnat() {
        Chain pre = Chain.base(NftName.of("cnm_dnat_pre"), Hook.dstnat(), List.of(Rule.of(List.of(new Match.LocalDaddr(),
                new Match.Port(Match.L4.TCP, true, 8080, 8080)), new Verdict.Dnat(IpAddress.parse("10.240.0.5"), OptionalInt.of(80)), "podnet cnm ep=ccd4e35c0a1b")));
        return NftRuleset.of(List.of(masq("pods", PODS), masq("a-b", IpPrefix.parse("10.89.0.0/24")), pre), List.of(), List.of());
    }

    @Test
    void rendersMasqueradeAndDnatChainsAsOneTransaction() throws Exception {
        Golden.check("nft/masquerade-and-dnat.nft", masqueradeAndDnat().render());
    }

    static NftRuleset setsMapsJumps() {
        NftSet pods = NftSet.addresses(NftName.of("pn_pods4"), IpFamily.V4,
                List.of(IpPrefix.parse("10.244.0.0/16"), IpPrefix.parse("10.244.3.0/24"), IpPrefix.parse("10.9.9.9/32")));
        NftSet ports = NftSet.ports(NftName.of("pn_web"), List.of(443, 80));
        Chain ep = Chain.regular(NftName.of("pn_ep1"), List.of(Rule.of(List.of(new Match.Port(Match.L4.TCP, true, 80, 90)), Verdict.ACCEPT, ""),
                Rule.of(List.of(), Verdict.DROP, "default deny")));
        NftMap dispatch = new NftMap(NftName.of("to_ep"), NftSet.Type.IPV4_ADDR, false, Map.of("10.244.1.5", new Verdict.Jump(NftName.of("pn_ep1"))));
        Chain fwd = Chain.base(NftName.of("pn_fwd"), new Hook(Hook.Type.FILTER, Hook.Point.FORWARD, Hook.FILTER, Hook.Policy.ACCEPT), List.of(
                Rule.of(List.of(new Match.AddrInSet(Match.Dir.SADDR, false, IpFamily.V4, NftName.of("pn_pods4")), new Match.Iface(false, false, "cali*")),
                        Verdict.RETURN, "from pods"),
                Rule.of(List.of(), new Verdict.Vmap(Match.Dir.DADDR, IpFamily.V4, NftName.of("to_ep")), "")));
        return NftRuleset.of(List.of(ep, fwd), List.of(pods, ports), List.of(dispatch));
    }

    @Test
    void rendersSetsMapsAndJumps() throws Exception {
        NftRuleset r = setsMapsJumps();
        // the /24 inside the /16 is dropped (nft refuses overlapping intervals)
        assertThat(r.sets().get(NftName.of("pn_pods4")).elements()).containsExactly("10.244.0.0/16", "10.9.9.9");
        Golden.check("nft/sets-maps-jumps.nft", r.render());
    }

    @Test
    void anEmptyRulesetDeletesTheTable() {
        assertThat(NftRuleset.empty().render()).isEqualTo("add table inet podnet\ndelete table inet podnet\n");
    }

    @Test
    void refusesDanglingReferences() {
        Chain jumps = Chain.regular(NftName.of("pn_a"), List.of(Rule.of(List.of(), new Verdict.Jump(NftName.of("pn_nowhere")), "")));
        assertThatThrownBy(() -> NftRuleset.of(List.of(jumps), List.of(), List.of())).hasMessageContaining("missing chain pn_nowhere");
        Chain usesSet = Chain.regular(NftName.of("pn_b"), List.of(Rule.of(List.of(new Match.AddrInSet(Match.Dir.SADDR, false, IpFamily.V4,
                NftName.of("pn_nos"))), Verdict.ACCEPT, "")));
        assertThatThrownBy(() -> NftRuleset.of(List.of(usesSet), List.of(), List.of())).hasMessageContaining("missing set @pn_nos");
    }

    @Test
    void commentsAreSanitizedAndBoundedSoNoNameCanBreakTheScript() {
        Rule r = Rule.of(List.of(), Verdict.ACCEPT, "net=\"evil\nname\" " + "x".repeat(300));
        assertThat(r.render()).doesNotContain("\n").contains("net=_evil_name_");
        assertThat(r.render().length()).isLessThan(140);
    }

    @Test
    void theRuleHashCoversMatchesVerdictAndComment() {
        Rule a = Rule.of(List.of(Match.saddr(PODS)), Verdict.MASQUERADE, "x");
        assertThat(a.hash()).hasSize(12).isEqualTo(Rule.of(List.of(Match.saddr(PODS)), Verdict.MASQUERADE, "x").hash());
        assertThat(a.hash()).isNotEqualTo(Rule.of(List.of(Match.saddr(PODS)), Verdict.ACCEPT, "x").hash())
                .isNotEqualTo(Rule.of(List.of(Match.saddr(PODS)), Verdict.MASQUERADE, "y").hash())
                .isNotEqualTo(Rule.of(List.of(Match.daddrNot(PODS)), Verdict.MASQUERADE, "x").hash());
    }
}
