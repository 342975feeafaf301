package io.podnet.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.speaker.Await;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.testkit.FrrPeer;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** podnet against FRR's bgpd ({@code -Z -S -n}) in network namespaces, checked with vtysh. */
class FrrInteropIT {
    static final Duration T = Duration.ofSeconds(30);

    @BeforeEach
    void needsRootAndFrr() {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/lib/frr/bgpd")) && Sh.has("vtysh"), "needs FRR (bgpd, vtysh)");
    }

    static String conf(long as, long podnetAs, String password) {
        return """
                hostname podnet-frr
                log file %%LOG%%
                router bgp %d
                 bgp router-id 10.213.0.2
                 no bgp network import-check
                 no bgp ebgp-requires-policy
                 neighbor 10.213.0.1 remote-as %d
                 neighbor 10.213.0.1 timers connect 1
                 %s
                 address-family ipv4 unicast
                  network 10.77.2.0/24
                 exit-address-family
                 address-family ipv6 unicast
                  neighbor 10.213.0.1 activate
                  network fd77:2::/64
                 exit-address-family
                """.formatted(as, podnetAs, password == null ? "" : "neighbor 10.213.0.1 password " + password);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ebgp, 65001, 65002, ", "ibgp, 64512, 64512, ", "ebgp-md5, 65001, 65002, s3cr3t-pw", "ibgp-md5, 64512, 64512, s3cr3t-pw"})
    void exchangesIpv4AndIpv6Routes(String name, long podnetAs, long frrAs, String password) {
        try (Lab lab = new Lab(2);
             FrrPeer f = FrrPeer.start(lab.ns(2), conf(frrAs, podnetAs, password), "10.213.0.2");
             Podnet p = new Podnet(lab.ns(1), podnetAs, Lab.v4(1), null)) {
            p.peer(Podnet.peer(2, frrAs, 1).withPassword(password)).start();
            p.announce("10.88.1.0/24");
            p.announce("fd88:1::/64");
            Await.until("session", T, () -> p.state(2) == State.ESTABLISHED && f.established("10.213.0.1"));
            Await.until("FRR routes at podnet", T, () -> p.best("10.77.2.0/24").isPresent() && p.best("fd77:2::/64").isPresent());
            assertThat(p.best("10.77.2.0/24").orElseThrow().attrs().nextHop()).isEqualTo(IpAddress.parse("10.213.0.2"));
            Await.until("podnet routes at FRR", T, () -> f.vtysh("show bgp ipv4 unicast").contains("10.88.1.0/24")
                    && f.vtysh("show bgp ipv6 unicast").contains("fd88:1::/64"));
            String v4 = f.vtysh("show bgp ipv4 unicast 10.88.1.0/24");
            assertThat(v4).contains("10.213.0.1");
            if (podnetAs != frrAs) assertThat(v4).contains(String.valueOf(podnetAs));
            if (password != null) {
                assertThat(Sh.run("ip", "netns", "exec", lab.ns(1), "ss", "-tnie", "state", "established").out()).contains("md5keys");
            }
            p.speaker.withdrawRoute(IpPrefix.parse("10.88.1.0/24")).join();
            Await.until("withdrawal at FRR", T, () -> !f.vtysh("show bgp ipv4 unicast").contains("10.88.1.0/24"));
            f.vtysh("configure terminal", "router bgp " + frrAs, "address-family ipv4 unicast", "no network 10.77.2.0/24");
            Await.until("withdrawal at podnet", T, () -> p.best("10.77.2.0/24").isEmpty());
        }
    }
}
