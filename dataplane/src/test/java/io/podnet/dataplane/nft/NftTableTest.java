package io.podnet.dataplane.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.net.IpPrefix;
import io.podnet.testkit.ManualClock;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftTableTest {
    private final ManualClock clock = new ManualClock();
    private final FakeKernel kernel = new FakeKernel();
    private final NftTable nft = new NftTable(kernel, clock);

    private static Chain masq(String net, String subnet) {
        return NftRulesetTest.masq(net, IpPrefix.parse(subnet));
    }

    @Test
    void producersShareOneTableAndEachReplacesOnlyItsOwnChains() {
        nft.setChain("overlay", masq("overlay", "10.244.0.0/16"));
        nft.setChain("cni/pods", masq("pods", "10.88.0.0/16"));
        assertThat(nft.apply().ok()).isTrue();
        assertThat(kernel.nftRuleset().orElseThrow().chains()).hasSize(2);

        nft.replaceOwned("cni/pods", List.of(masq("pods", "10.89.0.0/16")), List.of(), List.of());
        assertThat(nft.apply().ok()).isTrue();
        assertThat(kernel.nftRuleset().orElseThrow().render()).contains("10.244.0.0/16").contains("10.89.0.0/16").doesNotContain("10.88.0.0/16");

        nft.removeChain("cni/pods", NftName.derive("cni_masq_", "pods"));
        nft.removeChain("overlay", NftName.derive("cni_masq_", "overlay"));
        assertThat(nft.apply().ok()).isTrue();
        assertThat(kernel.nftRuleset()).as("an empty table is deleted").isEmpty();
    }

    @Test
    void aResyncRepairsADeletedTableAndWritesNothingWhenTheTableIsRight() {
        nft.setChain("overlay", masq("overlay", "10.244.0.0/16"));
        assertThat(nft.apply().ok()).isTrue();
        kernel.resetCalls();
        nft.queueResync();
        assertThat(nft.apply().ok()).isTrue();
        assertThat(kernel.calls(Op.NFT_APPLY)).isZero();

        kernel.deleteNftTable(); // nft delete table inet podnet
        nft.queueResync();
        assertThat(nft.apply().updated()).isEqualTo(1);
        assertThat(kernel.nftRuleset()).isPresent();
    }

    @Test
    void aFailedApplyIsRetriedWithBackoffAndReportedInHealth() {
        nft.setChain("overlay", masq("overlay", "10.244.0.0/16"));
        kernel.failNext(Op.NFT_APPLY, io.podnet.rtnetlink.Errno.EBUSY);
        assertThat(nft.apply().ok()).isFalse();
        assertThat(nft.health().consecutiveFailures()).isEqualTo(1);
        assertThat(nft.health().lastError()).hasValueSatisfying(e -> assertThat(e).contains("EBUSY"));
        assertThat(nft.health().firstApplyDone()).isFalse();
        assertThat(nft.needsApply(clock.instant())).isFalse();
        clock.advance(java.time.Duration.ofMillis(100));
        assertThat(nft.apply().ok()).isTrue();
        assertThat(nft.health().inSync()).isTrue();
    }

    @Test
    void aChangeWithADanglingReferenceIsRefusedAndLeavesTheOthersAlone() {
        nft.setChain("overlay", masq("overlay", "10.244.0.0/16"));
        Chain bad = Chain.regular(NftName.of("pol_x"), List.of(Rule.of(List.of(), new Verdict.Jump(NftName.of("pol_missing")), "")));
        assertThatThrownBy(() -> nft.setChain("policy", bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pol_missing");
        assertThat(nft.apply().ok()).isTrue();
        assertThat(kernel.nftRuleset().orElseThrow().chains().keySet()).containsExactly(NftName.derive("cni_masq_", "overlay"));
    }
}
