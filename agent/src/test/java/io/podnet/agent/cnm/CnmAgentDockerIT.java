package io.podnet.agent.cnm;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.testkit.Dockerd;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 acceptance through the agent as users run it: the agent JVM (config file with {@code cnm.enabled}) serves
 * a real dockerd 20.10; both live in one throwaway namespace ({@link CnmAgentBed}). Covers network create with and
 * without --subnet/--gateway/--ip-range/--aux-address, ping, a published port, connect/disconnect, kill -9 and
 * restart of the agent while containers run, refused requests (pool exhausted, host port taken, Join failing, IPv6
 * without a subnet), a dual-stack network, and that rm/network rm leave no veth, nft rule or reservation.
 */
class CnmAgentDockerIT {
    static final int PORT = 18082;

    @BeforeEach
    void requirements() {
        Assumptions.assumeTrue(Dockerd.unavailable().isEmpty(), () -> Dockerd.unavailable().orElse(""));
    }

    @Test
    void dockerThroughTheAgentSurvivesAgentRestartAndRefusesCleanly() throws Exception {
        try (CnmAgentBed bed = new CnmAgentBed()) {
            Dockerd d = bed.docker;
            String dr = bed.driver;
            String n1 = dr + "-n1";
            String n2 = dr + "-n2";
            String c1 = dr + "-c1";
            String c2 = dr + "-c2";
            // a default pool, and one with every IPAM option
            d.check("network", "create", "-d", dr, "--ipam-driver", dr, n1);
            d.check("network", "create", "-d", dr, "--ipam-driver", dr, "--subnet", "10.237.0.0/24", "--gateway", "10.237.0.254",
                    "--ip-range", "10.237.0.128/25", "--aux-address", "aux=10.237.0.10", n2);
            assertThat(bed.reservations("10.237.0.0_24")).containsExactly("10.237.0.10", "10.237.0.254");

            d.check("run", "-d", "--name", c1, "--network", n2, "-p", "127.0.0.1:" + PORT + ":80", bed.image(),
                    "/bin/httpd", "-f", "-p", "80", "-h", "/www");
            d.check("run", "-d", "--name", c2, "--network", n2, bed.image(), "/bin/sleep", "600");
            String ip1 = d.ipOf(c1, n2);
            String ip2 = d.ipOf(c2, n2);
            assertThat(List.of(ip1, ip2)).allMatch(ip -> IpPrefix.parse("10.237.0.128/25").contains(IpAddress.parse(ip))).doesNotHaveDuplicates();
            d.check("exec", c2, "/bin/ping", "-c", "1", "-W", "5", ip1);
            d.check("exec", c2, "/bin/ping", "-c", "1", "-W", "5", "10.237.0.254");
            assertThat(d.httpGet(PORT)).contains("podnet-cnm-agent-ok");

            connectAndDisconnect(bed, n1, c2);
            String c4 = agentRestartKeepsContainersConnected(bed, n2, c2, ip1);

            // after the restart: port mapping, a new container, and refusals that leak nothing
            assertThat(d.httpGet(PORT)).contains("podnet-cnm-agent-ok");
            String c3 = dr + "-c3";
            d.check("run", "-d", "--name", c3, "--network", n2, bed.image(), "/bin/sleep", "600");
            String ip3 = d.ipOf(c3, n2);
            assertThat(Set.of(ip1, ip2, ip3, d.ipOf(c4, n2))).hasSize(4);
            d.check("exec", c3, "/bin/ping", "-c", "1", "-W", "5", ip1);
            refusals(bed, n2);
            dualStack(bed);

            d.check("rm", "-f", c1, c2, c3, c4);
            d.check("network", "rm", n1, n2);
            bed.assertNothingLeft();
        }
    }

    /** {@code docker network connect} of a running container to the default-pool network {@code n1}, then disconnect. */
    private static void connectAndDisconnect(CnmAgentBed bed, String n1, String c2) {
        Dockerd d = bed.docker;
        String sub1 = d.check("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", n1).strip();
        String gw1 = d.check("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", n1).strip();
        assertThat(IpPrefix.parse(CnmAgentBed.DEFAULT_POOLS).contains(IpPrefix.parse(sub1))).as(sub1).isTrue();
        d.check("network", "connect", n1, c2);
        assertThat(d.check("exec", c2, "/bin/ip", "-4", "addr", "show", "eth1")).contains(sub1.substring(0, sub1.lastIndexOf('.')));
        d.check("exec", c2, "/bin/ping", "-c", "1", "-W", "5", gw1);
        assertThat(bed.veths()).hasSize(3);
        d.check("network", "disconnect", n1, c2);
        assertThat(bed.veths()).hasSize(2);
        assertThat(bed.reservations(sub1.replace('/', '_'))).as("n1 after disconnect: its gateway only").containsExactly(gw1);
    }

    /**
     * kill -9 the agent while c2 pings c1 in rounds of 8 pings (2 s) until the agent is back and one more round
     * ran: no ping lost, and the published port answers while the agent is down. A {@code docker run} issued while the
     * agent is down succeeds once it is back (dockerd retries a refused plugin connection for ≈15 s); returns its name.
     */
    private static String agentRestartKeepsContainersConnected(CnmAgentBed bed, String net, String c2, String ip1) throws Exception {
        Dockerd d = bed.docker;
        AtomicBoolean back = new AtomicBoolean();
        CompletableFuture<List<Sh.Result>> pings = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                List<Sh.Result> rounds = new ArrayList<>();
                boolean last = false;
                while (!last && rounds.size() < 60) {
                    last = back.get();
                    rounds.add(d.docker("exec", c2, "/bin/ping", "-c", "8", "-i", "0.25", "-W", "2", ip1));
                }
                pings.complete(rounds);
            } catch (RuntimeException e) {
                pings.completeExceptionally(e);
            }
        });
        long t0 = System.nanoTime();
        bed.killAgent();
        assertThat(Files.exists(bed.pluginSocket)).as("stale socket of the killed agent").isTrue();
        assertThat(d.httpOnce(PORT)).as("published port while the agent is down").isTrue();
        String c4 = bed.driver + "-c4";
        CompletableFuture<Sh.Result> run = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> run.complete(d.docker("run", "-d", "--name", c4, "--network", net, bed.image(), "/bin/sleep", "600")));
        bed.startAgent();
        back.set(true);
        System.out.printf("agent kill -9 + restart took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        List<Sh.Result> rounds = pings.get(180, TimeUnit.SECONDS);
        assertThat(rounds).hasSizeGreaterThanOrEqualTo(2);
        for (Sh.Result r : rounds) assertThat(r.out()).as(r.toString()).contains("8 packets received").contains(" 0% packet loss");
        d.check("exec", c2, "/bin/ping", "-c", "1", "-W", "5", "10.237.0.254");
        Sh.Result r4 = run.get(120, TimeUnit.SECONDS);
        assertThat(r4.exit()).as("docker run during the agent restart: " + r4).isZero();
        d.check("exec", c4, "/bin/ping", "-c", "1", "-W", "5", ip1);
        return c4;
    }

    /** {@code --ipv6} with an IPv6 subnet: containers get both families and reach each other and the gateways over both. */
    private static void dualStack(CnmAgentBed bed) throws Exception {
        Dockerd d = bed.docker;
        String dr = bed.driver;
        String n6 = dr + "-n6";
        d.check("network", "create", "-d", dr, "--ipam-driver", dr, "--ipv6", "--subnet", "10.239.0.0/24", "--subnet", "fd00:6::/64", n6);
        d.check("run", "-d", "--name", dr + "-v6a", "--network", n6, bed.image(), "/bin/sleep", "600");
        d.check("run", "-d", "--name", dr + "-v6b", "--network", n6, bed.image(), "/bin/sleep", "600");
        String a6 = d.ip6Of(dr + "-v6a", n6);
        assertThat(IpPrefix.parse("fd00:6::/64").contains(IpAddress.parse(a6))).as(a6).isTrue();
        d.check("exec", dr + "-v6b", "/bin/ping6", "-c", "1", "-W", "5", a6);
        d.check("exec", dr + "-v6b", "/bin/ping6", "-c", "1", "-W", "5", "fd00:6::1");
        d.check("exec", dr + "-v6b", "/bin/ping", "-c", "1", "-W", "5", d.ipOf(dr + "-v6a", n6));
        assertThat(bed.reservations("fd00:6::_64")).hasSize(3);
        d.check("rm", "-f", dr + "-v6a", dr + "-v6b");
        d.check("network", "rm", n6);
        assertThat(bed.reservations()).doesNotContainKeys("fd00:6::_64", "10.239.0.0_24");
    }

    /** Requests the agent must refuse with a clear error, leaving no veth, reservation, endpoint or rule behind. */
    private static void refusals(CnmAgentBed bed, String n2) throws Exception {
        Dockerd d = bed.docker;
        String dr = bed.driver;
        List<String> veths = bed.veths();
        var reservations = bed.reservations();
        List<String> endpoints = bed.stateFiles("endpoints");
        String rules = bed.ruleset();

        // a host port another container already publishes (Docker allocates none for remote drivers)
        Sh.Result dup = d.docker("run", "-d", "--name", dr + "-dup", "--network", n2, "-p", "127.0.0.1:" + PORT + ":80", bed.image(),
                "/bin/sleep", "600");
        assertThat(dup.exit()).as(dup.toString()).isNotZero();
        assertThat(dup.err()).contains("NetworkDriver.CreateEndpoint").contains("host port 127.0.0.1:" + PORT + "/tcp is already published");
        d.docker("rm", "-f", dr + "-dup");

        // a pool with room for one container: the second is refused at RequestAddress
        String n3 = dr + "-n3";
        d.check("network", "create", "-d", dr, "--ipam-driver", dr, "--subnet", "10.238.0.0/30", n3);
        d.check("run", "-d", "--name", dr + "-only", "--network", n3, bed.image(), "/bin/sleep", "600");
        Sh.Result full = d.docker("run", "-d", "--name", dr + "-full", "--network", n3, bed.image(), "/bin/sleep", "600");
        assertThat(full.exit()).as(full.toString()).isNotZero();
        assertThat(full.err()).contains("IpamDriver.RequestAddress").contains("pool 10.238.0.0/30 has no free address left");
        d.docker("rm", "-f", dr + "-full", dr + "-only");
        d.check("network", "rm", n3);

        // the network's bridge deleted by hand (pnd* names are podnet's): the node dataplane puts it back, Join works
        String n4 = dr + "-n4";
        d.check("network", "create", "-d", dr, "--ipam-driver", dr, "--subnet", "10.238.4.0/24", n4);
        String bridge = "pnd" + d.check("network", "inspect", "-f", "{{.Id}}", n4).strip().substring(0, 11);
        Sh.ip(bed.host.name(), "link", "del", bridge);
        d.check("run", "-d", "--name", dr + "-rejoin", "--network", n4, bed.image(), "/bin/sleep", "600");
        assertThat(Sh.ip(bed.host.name(), "-4", "addr", "show", bridge)).contains("10.238.4.1/24");
        d.docker("rm", "-f", dr + "-rejoin");
        d.check("network", "rm", n4);
        assertThat(bed.podnetLinks()).doesNotContain(bridge); // DeleteNetwork removes the bridge

        // --ipv6 without an IPv6 subnet: podnet has no default IPv6 range; the IPv4 pool Docker asked for first is released
        Sh.Result v6 = d.docker("network", "create", "-d", dr, "--ipam-driver", dr, "--ipv6", dr + "-n6");
        assertThat(v6.exit()).as(v6.toString()).isNotZero();
        assertThat(v6.err()).contains("IpamDriver.RequestPool").contains("IPv6 pools need an explicit subnet");

        assertThat(bed.veths()).isEqualTo(veths);
        assertThat(bed.reservations()).isEqualTo(reservations);
        assertThat(bed.stateFiles("endpoints")).isEqualTo(endpoints);
        assertThat(bed.ruleset()).isEqualTo(rules);
        assertThat(bed.pools().size()).as("pools of n1 and n2 only: " + bed.pools()).isEqualTo(2);
    }
}
