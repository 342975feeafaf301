package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.net.IpPrefix;
import io.podnet.testkit.ManualClock;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardTableTest {
    private final ManualClock clock = new ManualClock();
    private final FakeKernel kernel = new FakeKernel();
    private final ForwardTable t = new ForwardTable(kernel, clock);
    private static final IpPrefix PODS = IpPrefix.parse("10.22.0.0/24");
    private static final IpPrefix OVERLAY = IpPrefix.parse("10.5.0.0/16");

    @Test
    void eachOwnersPrefixesGetAnAcceptFromAndToAndAFlushIsRepairedOnResync() {
        t.acceptPods("cni/pods", List.of(PODS, IpPrefix.parse("fd00:22::/64")));
        t.acceptPods("overlay", List.of(OVERLAY));
        assertThat(t.apply().ok()).isTrue();
        assertThat(kernel.forwardRules()).hasSize(6).contains(new ForwardRule(PODS, true), new ForwardRule(PODS, false));

        kernel.resetCalls();
        t.queueResync();
        assertThat(t.apply().ok()).isTrue();
        assertThat(kernel.calls(Op.FORWARD_ADD)).as("nothing written when nothing differs").isZero();

        kernel.flushForward(); // iptables -F FORWARD (a firewall reload, dockerd restarting)
        t.queueResync();
        assertThat(t.apply().ok()).isTrue();
        assertThat(kernel.forwardRules()).hasSize(6);
    }

    @Test
    void oneOwnerWithdrawingLeavesTheOthersRules() {
        t.acceptPods("cni/pods", List.of(PODS));
        t.acceptPods("cnm", List.of(PODS)); // the same prefix, wanted twice
        t.acceptPods("overlay", List.of(OVERLAY));
        t.apply();
        t.acceptPods("cni/pods", List.of());
        t.apply();
        assertThat(t.acceptedPrefixes()).containsExactly(OVERLAY, PODS);
        t.acceptPods("cnm", List.of());
        t.apply();
        assertThat(kernel.forwardRules()).containsExactlyInAnyOrder(new ForwardRule(OVERLAY, true), new ForwardRule(OVERLAY, false));
    }

    @Test
    void iptablesLinesParseOnlyPodnetsOwnRules() {
        ForwardRule r = new ForwardRule(PODS, true);
        assertThat(ForwardRule.parse("-A FORWARD " + String.join(" ", r.args()))).contains(r);
        assertThat(ForwardRule.parse("-A FORWARD -d fd00:22::/64 -m comment --comment podnet:pods -j ACCEPT"))
                .contains(new ForwardRule(IpPrefix.parse("fd00:22::/64"), false));
        assertThat(ForwardRule.parse("-A FORWARD -s 10.22.0.0/24 -m comment --comment \"podnet:pods\" -j ACCEPT"))
                .as("as iptables -S prints it").contains(r);
        assertThat(ForwardRule.parse("-P FORWARD DROP")).isEmpty();
        assertThat(ForwardRule.parse("-A FORWARD -j DOCKER-USER")).isEmpty();
        assertThat(ForwardRule.parse("-A FORWARD -s 10.22.0.0/24 -m comment --comment other -j ACCEPT")).as("someone else's").isEmpty();
        assertThat(ForwardRule.parse("-A FORWARD -s 10.22.0.0/24 -m comment --comment podnet:pods -j DROP")).isEmpty();
        assertThat(ForwardRule.parse("-A FORWARD -s 10.22.0.1/24 -m comment --comment podnet:pods -j ACCEPT")).as("host bits").isEmpty();
    }
}
