package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.ManualClock;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The FORWARD accepts against real iptables (and ip6tables) in a throwaway namespace whose policy is DROP with a
 * foreign rule first: appended after it, read back, a flush repaired, withdrawn without touching the rest.
 */
@ExtendWith(NetnsExtension.class)
class ForwardTableNetnsIT {

    @Test
    void appendsReadsBackRepairsAndWithdrawsOnlyItsOwnRules(Netns ns) throws Exception {
        assumeTrue(Sh.has("iptables") && Sh.has("ip6tables"), "needs iptables (installed by run-tests)");
        ns.exec("iptables", "-P", "FORWARD", "DROP").check();
        ns.exec("iptables", "-A", "FORWARD", "-s", "192.0.2.0/24", "-j", "DROP").check(); // the administrator's, first
        try (Rtnetlink h = Rtnetlink.open(NetNs.named(ns.name())); Namespaces workers = Namespaces.pool(h.namespace(), 1)) {
            ForwardTable t = new ForwardTable(new RtnetlinkKernel(h, workers, null), new ManualClock());
            t.acceptPods("cni/pods", List.of(IpPrefix.parse("10.22.0.0/24"), IpPrefix.parse("fd00:22::/64")));
            assertThat(t.apply().ok()).isTrue();
            List<String> v4 = ns.exec("iptables", "-S", "FORWARD").check().out().lines().toList();
            // podnet's accepts come after the administrator's rule (appended); their order among themselves does not matter
            assertThat(v4.subList(0, 2)).containsExactly("-P FORWARD DROP", "-A FORWARD -s 192.0.2.0/24 -j DROP");
            assertThat(v4.subList(2, v4.size())).containsExactlyInAnyOrder(
                    "-A FORWARD -s 10.22.0.0/24 -m comment --comment \"podnet:pods\" -j ACCEPT",
                    "-A FORWARD -d 10.22.0.0/24 -m comment --comment \"podnet:pods\" -j ACCEPT");
            assertThat(ns.exec("ip6tables", "-S", "FORWARD").check().out()).contains("-s fd00:22::/64 -m comment --comment \"podnet:pods\" -j ACCEPT");

            t.queueResync();
            assertThat(t.apply().updated()).as("correct rules are not rewritten").isZero();

            ns.exec("iptables", "-D", "FORWARD", "-d", "10.22.0.0/24", "-m", "comment", "--comment", ForwardRule.COMMENT, "-j", "ACCEPT").check();
            t.queueResync();
            assertThat(t.apply().updated()).isEqualTo(1);
            assertThat(ns.exec("iptables", "-S", "FORWARD").check().out()).contains("-d 10.22.0.0/24 -m comment");

            t.acceptPods("cni/pods", List.of());
            assertThat(t.apply().ok()).isTrue();
            assertThat(ns.exec("iptables", "-S", "FORWARD").check().out().lines().toList())
                    .containsExactly("-P FORWARD DROP", "-A FORWARD -s 192.0.2.0/24 -j DROP");
            assertThat(ns.exec("ip6tables", "-S", "FORWARD").check().out()).doesNotContain("podnet");
        }
    }
}
