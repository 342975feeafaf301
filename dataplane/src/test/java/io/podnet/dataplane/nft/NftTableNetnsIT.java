package io.podnet.dataplane.nft;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.RtnetlinkKernel;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.ManualClock;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The nft table against real nft in a throwaway namespace: apply, read back, repair out-of-band edits. */
@ExtendWith(NetnsExtension.class)
class NftTableNetnsIT {

    @Test
    void appliesReadsBackAndRepairsEditsMadeWithNft(Netns ns) throws Exception {
        try (Rtnetlink h = Rtnetlink.open(NetNs.named(ns.name())); Namespaces workers = Namespaces.pool(h.namespace(), 1)) {
            NftTable nft = new NftTable(new RtnetlinkKernel(h, workers, null), new ManualClock());
            NftRuleset want = NftRulesetTest.setsMapsJumps();
            nft.replaceOwned("policy", want.chains().values(), want.sets().values(), want.maps().values());
            nft.setChain("cni/a-b", NftRulesetTest.masq("a-b", NftRulesetTest.PODS));
            assertThat(nft.apply().ok()).isTrue();
            String listed = ns.exec("nft", "list", "table", "inet", "podnet").check().out();
            assertThat(listed).contains("chain cni_masq_a_hb").contains("masquerade").contains("set pn_pods4");

            nft.queueResync();
            var again = nft.apply();
            assertThat(again.ok()).isTrue();
            assertThat(again.updated()).as("a correct table is not rewritten").isZero();

            ns.exec("nft", "delete", "table", "inet", "podnet").check();
            nft.queueResync();
            assertThat(nft.apply().updated()).isEqualTo(1);
            assertThat(ns.exec("nft", "list", "table", "inet", "podnet").check().out()).contains("chain cni_masq_a_hb");

            ns.exec("nft", "flush", "chain", "inet", "podnet", "cni_masq_a_hb").check();
            ns.exec("nft", "add", "rule", "inet", "podnet", "pn_ep1", "counter", "accept").check();
            nft.queueResync();
            assertThat(nft.apply().updated()).isEqualTo(1);
            String repaired = ns.exec("nft", "list", "table", "inet", "podnet").check().out();
            assertThat(repaired).contains("masquerade").doesNotContain("counter");

            nft.replaceOwned("policy", java.util.List.of(), java.util.List.of(), java.util.List.of());
            nft.removeChain("cni/a-b", NftName.derive("cni_masq_", "a-b"));
            assertThat(nft.apply().ok()).isTrue();
            assertThat(ns.exec("nft", "list", "tables").check().out()).doesNotContain("podnet");
        }
    }
}
