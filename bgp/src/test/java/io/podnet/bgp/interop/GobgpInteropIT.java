package io.podnet.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.speaker.Await;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.testkit.GobgpPeer;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** podnet against GoBGP (gobgpd) in network namespaces, checked with the gobgp CLI over its Unix socket. */
class GobgpInteropIT {
    static final Duration T = Duration.ofSeconds(30);

    @BeforeEach
    void needsRootAndGobgp() {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Assumptions.assumeTrue(Sh.has("gobgpd") && Sh.has("gobgp"), "needs gobgpd and gobgp");
    }

    static String toml(long as, long podnetAs, String password) {
        return """
                [global.config]
                  as = %d
                  router-id = "10.213.0.2"
                  port = 179
                  local-address-list = ["10.213.0.2"]
                [[neighbors]]
                  [neighbors.config]
                    neighbor-address = "10.213.0.1"
                    peer-as = %d
                    %s
                  [neighbors.transport.config]
                    local-address = "10.213.0.2"
                  [neighbors.timers.config]
                    connect-retry = 1
                  [[neighbors.afi-safis]]
                    [neighbors.afi-safis.config]
                      afi-safi-name = "ipv4-unicast"
                  [[neighbors.afi-safis]]
                    [neighbors.afi-safis.config]
                      afi-safi-name = "ipv6-unicast"
                """.formatted(as, podnetAs, password == null ? "" : "auth-password = \"" + password + "\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ebgp, 65001, 65002, ", "ibgp, 64512, 64512, ", "ebgp-md5, 65001, 65002, s3cr3t-pw", "ibgp-md5, 64512, 64512, s3cr3t-pw"})
    void exchangesIpv4AndIpv6Routes(String name, long podnetAs, long gobgpAs, String password) {
        try (Lab lab = new Lab(2);
             GobgpPeer g = GobgpPeer.start(lab.ns(2), toml(gobgpAs, podnetAs, password));
             Podnet p = new Podnet(lab.ns(1), podnetAs, Lab.v4(1), null)) {
            p.peer(Podnet.peer(2, gobgpAs, 1).withPassword(password)).start();
            p.announce("10.88.1.0/24");
            p.announce("fd88:1::/64");
            g.gobgp("global", "rib", "add", "-a", "ipv4", "10.77.2.0/24", "nexthop", "10.213.0.2", "community", "65002:7");
            g.gobgp("global", "rib", "add", "-a", "ipv6", "fd77:2::/64", "nexthop", "fd00:213::2");
            Await.until("session", T, () -> p.state(2) == State.ESTABLISHED && g.established("10.213.0.1"));
            Await.until("GoBGP routes at podnet", T, () -> p.best("10.77.2.0/24").isPresent() && p.best("fd77:2::/64").isPresent());
            assertThat(p.best("10.77.2.0/24").orElseThrow().attrs().nextHop()).isEqualTo(IpAddress.parse("10.213.0.2"));
            assertThat(p.best("fd77:2::/64").orElseThrow().attrs().nextHop()).isEqualTo(IpAddress.parse("fd00:213::2"));
            Await.until("podnet routes at GoBGP", T, () -> g.gobgp("global", "rib", "-a", "ipv4").contains("10.88.1.0/24")
                    && g.gobgp("global", "rib", "-a", "ipv6").contains("fd88:1::/64"));
            String v4 = g.gobgp("global", "rib", "-a", "ipv4", "10.88.1.0/24");
            assertThat(v4).contains("10.213.0.1");
            if (podnetAs != gobgpAs) assertThat(v4).contains(String.valueOf(podnetAs));
            assertThat(g.gobgp("global", "rib", "-a", "ipv6", "fd88:1::/64")).contains("fd00:213::1");
            if (password != null) {
                assertThat(Sh.run("ip", "netns", "exec", lab.ns(1), "ss", "-tnie", "state", "established").out()).contains("md5keys");
            }
            g.gobgp("global", "rib", "del", "-a", "ipv4", "10.77.2.0/24");
            Await.until("withdrawal at podnet", T, () -> p.best("10.77.2.0/24").isEmpty());
            p.speaker.withdrawRoute(IpPrefix.parse("fd88:1::/64")).join();
            Await.until("withdrawal at GoBGP", T, () -> !g.gobgp("global", "rib", "-a", "ipv6").contains("fd88:1::/64"));
        }
    }
}
