package io.podnet.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.rib.Route;
import io.podnet.bgp.speaker.Await;
import io.podnet.net.IpAddress;
import io.podnet.testkit.BirdPeer;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** podnet against BIRD 2 in network namespaces over veth, checked from BIRD's own CLI. */
class BirdInteropIT {
    static final Duration T = Duration.ofSeconds(30);

    @BeforeEach
    void needsRootAndBird() {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Assumptions.assumeTrue(Sh.has("bird") && Sh.has("birdc"), "needs bird2 (bird, birdc)");
    }

    /** BIRD config with one BGP session "podnet" to node 1 and static routes 10.77.N.0/24, fd77:N::/64. */
    static String birdConf(int node, long as, long podnetAs, String password, boolean rrClient, String extraProtocols) {
        boolean ibgp = as == podnetAs;
        return """
                log "%%LOG%%" all;
                router id %s;
                protocol device {}
                protocol static s4 { ipv4; route 10.77.%d.0/24 blackhole; }
                protocol static s6 { ipv6; route fd77:%d::/64 blackhole; }
                protocol bgp podnet {
                  local %s as %d; neighbor 10.213.0.1 as %d;
                  connect delay time 1; connect retry time 2; %s %s %s
                  ipv4 { import all; export where source ~ [ RTS_STATIC, RTS_BGP ]; };
                  ipv6 { import all; export where source ~ [ RTS_STATIC, RTS_BGP ]; next hop address %s; };%s
                }
                %s
                """.formatted(Lab.v4(node), node, node, Lab.v4(node), as, podnetAs,
                password == null ? "" : "password \"" + password + "\";", rrClient ? "rr client;" : "",
                ibgp ? "direct;" : "", Lab.v6(node), "", extraProtocols);
    }

    @ParameterizedTest(name = "{0} podnet AS {1}, BIRD AS {2}, password {3}")
    @CsvSource({"ebgp, 65001, 65002, ", "ibgp, 64512, 64512, ", "ebgp-md5, 65001, 65002, s3cr3t-pw", "ibgp-md5, 64512, 64512, s3cr3t-pw"})
    void exchangesIpv4AndIpv6Routes(String name, long podnetAs, long birdAs, String password) {
        try (Lab lab = new Lab(2);
             BirdPeer bird = BirdPeer.start(lab.ns(2), birdConf(2, birdAs, podnetAs, password, false, ""));
             Podnet p = new Podnet(lab.ns(1), podnetAs, Lab.v4(1), null)) {
            p.peer(Podnet.peer(2, birdAs, 1).withPassword(password)).start();
            p.announce("10.88.1.0/24");
            p.announce("fd88:1::/64");
            Await.until("session", T, () -> p.state(2) == State.ESTABLISHED && bird.established("podnet"));
            Await.until("BIRD routes at podnet", T, () -> p.best("10.77.2.0/24").isPresent() && p.best("fd77:2::/64").isPresent());
            assertThat(p.best("10.77.2.0/24").orElseThrow().attrs().nextHop()).isEqualTo(IpAddress.parse(Lab.v4(2)));
            assertThat(p.best("fd77:2::/64").orElseThrow().attrs().nextHop()).isEqualTo(IpAddress.parse(Lab.v6(2)));
            Await.until("podnet routes at BIRD", T, () -> bird.birdc("show", "route", "protocol", "podnet").contains("10.88.1.0/24")
                    && bird.birdc("show", "route", "protocol", "podnet").contains("fd88:1::/64"));
            String v4 = bird.birdc("show", "route", "10.88.1.0/24", "all");
            assertThat(v4).contains("via 10.213.0.1").contains(podnetAs == birdAs ? "BGP.local_pref: 100" : "BGP.as_path: " + podnetAs);
            assertThat(bird.birdc("show", "route", "fd88:1::/64", "all")).contains("via fd00:213::1");
            if (password != null) {
                assertThat(Sh.run("ip", "netns", "exec", lab.ns(1), "ss", "-tnie", "state", "established").out()).contains("md5keys");
            }
            p.speaker.withdrawRoute(io.podnet.net.IpPrefix.parse("10.88.1.0/24")).join();
            Await.until("withdrawal at BIRD", T, () -> !bird.birdc("show", "route", "protocol", "podnet").contains("10.88.1.0/24"));
            bird.birdc("disable", "s4");
            Await.until("withdrawal at podnet", T, () -> p.best("10.77.2.0/24").isEmpty());
        }
    }

    @Test
    void podnetReflectsRoutesBetweenTwoBirdClients() {
        try (Lab lab = new Lab(3);
             BirdPeer b2 = BirdPeer.start(lab.ns(2), birdConf(2, 64512, 64512, null, false, ""));
             BirdPeer b3 = BirdPeer.start(lab.ns(3), birdConf(3, 64512, 64512, null, false, ""));
             Podnet rr = new Podnet(lab.ns(1), 64512, Lab.v4(1), IpAddress.parse(Lab.v4(1)))) {
            rr.peer(Podnet.peer(2, 64512, 1).withRrClient(true)).peer(Podnet.peer(3, 64512, 1).withRrClient(true)).start();
            Await.until("sessions", T, () -> b2.established("podnet") && b3.established("podnet"));
            Await.until("reflected routes", T, () -> b3.birdc("show", "route", "protocol", "podnet").contains("10.77.2.0/24")
                    && b2.birdc("show", "route", "protocol", "podnet").contains("fd77:3::/64"));
            String r = b3.birdc("show", "route", "10.77.2.0/24", "all");
            assertThat(r).contains("BGP.originator_id: 10.213.0.2").contains("BGP.cluster_list: 10.213.0.1").contains("via 10.213.0.2");
        }
    }

    @Test
    void podnetIsAClientOfABirdReflector() {
        String rrConf = birdConf(2, 64512, 64512, null, true, """
                protocol bgp client3 {
                  local 10.213.0.2 as 64512; neighbor 10.213.0.3 as 64512; connect delay time 1; rr client; rr cluster id 2.2.2.2; direct;
                  ipv4 { import all; export where source ~ [ RTS_STATIC, RTS_BGP ]; };
                  ipv6 { import all; export where source ~ [ RTS_STATIC, RTS_BGP ]; next hop address fd00:213::2; };
                }
                """).replace("connect retry time 2;", "connect retry time 2; rr cluster id 2.2.2.2;");
        String clientConf = """
                log "%LOG%" all;
                router id 10.213.0.3;
                protocol device {}
                protocol static s4 { ipv4; route 10.77.3.0/24 blackhole; }
                protocol bgp reflector {
                  local 10.213.0.3 as 64512; neighbor 10.213.0.2 as 64512; connect delay time 1; direct;
                  ipv4 { import all; export where source = RTS_STATIC; };
                }
                """;
        try (Lab lab = new Lab(3);
             BirdPeer rr = BirdPeer.start(lab.ns(2), rrConf);
             BirdPeer client = BirdPeer.start(lab.ns(3), clientConf);
             Podnet p = new Podnet(lab.ns(1), 64512, Lab.v4(1), null)) {
            p.peer(Podnet.peer(2, 64512, 1)).start();
            p.announce("10.88.1.0/24");
            Await.until("reflected to the other client", T, () -> client.birdc("show", "route", "protocol", "reflector").contains("10.88.1.0/24"));
            assertThat(client.birdc("show", "route", "10.88.1.0/24", "all")).contains("BGP.originator_id: 10.213.0.1").contains("BGP.cluster_list: 2.2.2.2");
            Await.until("other client's route at podnet", T, () -> p.best("10.77.3.0/24").isPresent());
            Route r = p.best("10.77.3.0/24").orElseThrow();
            assertThat(r.attrs().originatorId()).isEqualTo(IpAddress.parse("10.213.0.3"));
            assertThat(r.attrs().clusterList()).containsExactly(IpAddress.parse("2.2.2.2"));
        }
    }

    @Test
    void birdKeepsPodnetRoutesWhilePodnetRestarts() {
        String conf = birdConf(2, 65002, 65001, null, false, "").replace("connect retry time 2;", "connect retry time 2; graceful restart on;");
        try (Lab lab = new Lab(2); BirdPeer bird = BirdPeer.start(lab.ns(2), conf)) {
            Podnet p1 = new Podnet(lab.ns(1), 65001, Lab.v4(1), null);
            try {
                p1.peer(Podnet.peer(2, 65002, 1)).start();
                p1.announce("10.88.1.0/24");
                p1.announce("10.88.2.0/24");
                Await.until("routes at BIRD", T, () -> bird.birdc("show", "route", "protocol", "podnet").contains("10.88.2.0/24"));
            } finally {
                p1.crash(); // sockets dropped without NOTIFICATION
            }
            Await.until("BIRD notices", T, () -> !bird.established("podnet"));
            assertThat(bird.birdc("show", "route", "protocol", "podnet")).contains("10.88.1.0/24").contains("10.88.2.0/24");
            try (Podnet p2 = new Podnet(lab.ns(1), 65001, Lab.v4(1), null)) {
                p2.peer(Podnet.peer(2, 65002, 1)).start();
                p2.announce("10.88.1.0/24");
                Await.until("session back", T, () -> bird.established("podnet"));
                Await.until("End-of-RIB flushes the route not re-announced", T,
                        () -> !bird.birdc("show", "route", "protocol", "podnet").contains("10.88.2.0/24"));
                assertThat(bird.birdc("show", "route", "protocol", "podnet")).contains("10.88.1.0/24");
            }
        }
    }
}
