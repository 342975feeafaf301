package io.podnet.agent.cnm;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.testkit.Daemons;
import io.podnet.testkit.Dockerd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * dockerd restarts (with the same data root) under the agent's driver, the ways users meet them: a stop by PID
 * (SIGTERM) makes dockerd stop its containers (the driver sees Revoke/Leave/DeleteEndpoint/ReleaseAddress) and start
 * those with a restart policy when it comes back; with {@code --live-restore} the containers keep running while
 * dockerd is down; after a crash (SIGKILL of dockerd and its containerd) the new dockerd kills what still ran and
 * releases those endpoints through the driver. In every case the networks and pools still work afterwards, new
 * containers get addresses no other container has, exactly the live addresses stay reserved, and rm/network rm
 * leave nothing.
 */
class CnmDockerdRestartIT {
    static final int PORT = 18083;

    @BeforeEach
    void requirements() {
        Assumptions.assumeTrue(Dockerd.unavailable().isEmpty(), () -> Dockerd.unavailable().orElse(""));
    }

    /** How dockerd goes down. */
    private enum Down { STOP, LIVE_RESTORE, CRASH }

    @Test
    void dockerdRestartStopsAndRestartsContainers() throws Exception {
        restartDockerd(Down.STOP);
    }

    @Test
    void dockerdRestartWithLiveRestoreKeepsContainersRunning() throws Exception {
        restartDockerd(Down.LIVE_RESTORE);
    }

    @Test
    void dockerdCrashReleasesTheEndpointsOfContainersItKills() throws Exception {
        restartDockerd(Down.CRASH);
    }

    private static void restartDockerd(Down down) throws Exception {
        boolean liveRestore = down == Down.LIVE_RESTORE;
        try (CnmAgentBed bed = liveRestore ? new CnmAgentBed("--live-restore") : new CnmAgentBed()) {
            Dockerd d = bed.docker;
            String dr = bed.driver;
            String net = dr + "-n";
            String c1 = dr + "-c1";
            String c2 = dr + "-c2";
            d.check("network", "create", "-d", dr, "--ipam-driver", dr, "--subnet", "10.237.0.0/24", net);
            d.check("run", "-d", "--name", c1, "--network", net, "--restart", "always", "--stop-timeout", "1",
                    "-p", "127.0.0.1:" + PORT + ":80", bed.image(), "/bin/httpd", "-f", "-p", "80", "-h", "/www");
            d.check("run", "-d", "--name", c2, "--network", net, "--stop-timeout", "1", bed.image(), "/bin/sleep", "600");
            String ip1 = d.ipOf(c1, net);
            d.check("exec", c2, "/bin/ping", "-c", "1", "-W", "5", ip1);

            if (down == Down.CRASH) {
                d.crash();
            } else {
                d.stop();
            }
            if (down != Down.STOP) {
                // containers run on, and so does their networking (kernel only): the host reaches them
                assertThat(bed.host.ping(ip1)).as("ping " + ip1 + " while dockerd is down").isTrue();
                assertThat(d.httpOnce(PORT)).as("published port while dockerd is down").isTrue();
                assertThat(bed.veths()).hasSize(2);
                assertThat(bed.reservations("10.237.0.0_24")).hasSize(3);
            } else {
                // dockerd stopped the containers and released their endpoints and addresses; the network stays
                assertThat(bed.veths()).isEmpty();
                assertThat(bed.stateFiles("endpoints")).isEmpty();
                assertThat(bed.reservations("10.237.0.0_24")).containsExactly("10.237.0.1");
                assertThat(bed.stateFiles("networks")).hasSize(1);
            }
            long t0 = System.nanoTime();
            d.startAgain();
            System.out.printf("%s: dockerd back after %d ms%n", down, (System.nanoTime() - t0) / 1_000_000);
            if (!liveRestore) {
                // without live-restore dockerd kills what a crash left running and releases its endpoints
                Daemons.awaitTrue(c1 + " restarted by its policy", Duration.ofSeconds(60),
                        () -> d.check("inspect", "-f", "{{.State.Running}}", c1).strip().equals("true"));
                System.out.printf("%s: c1 running after %d ms%n", down, (System.nanoTime() - t0) / 1_000_000);
                assertThat(d.check("inspect", "-f", "{{.State.Running}}", c2).strip()).isEqualTo("false");
                assertThat(bed.veths()).as("only c1's veth").hasSize(1);
                d.check("start", c2); // no restart policy: the user starts it
            }
            String ip1b = d.ipOf(c1, net);
            String ip2 = d.ipOf(c2, net);
            assertThat(d.httpGet(PORT)).contains("podnet-cnm-agent-ok");
            d.check("exec", c2, "/bin/ping", "-c", "1", "-W", "5", ip1b);
            d.check("exec", c2, "/bin/ping", "-c", "1", "-W", "5", "10.237.0.1");

            String c3 = dr + "-c3";
            d.check("run", "-d", "--name", c3, "--network", net, bed.image(), "/bin/sleep", "600");
            String ip3 = d.ipOf(c3, net);
            assertThat(Set.of(ip1b, ip2, ip3)).as("addresses after the restart").hasSize(3);
            d.check("exec", c3, "/bin/ping", "-c", "1", "-W", "5", ip1b);
            List<String> expected = new ArrayList<>(List.of("10.237.0.1", ip1b, ip2, ip3));
            assertThat(bed.reservations("10.237.0.0_24")).as("only live addresses are reserved")
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(bed.veths()).hasSize(3);
            assertThat(bed.stateFiles("endpoints")).hasSize(3);

            d.check("rm", "-f", c1, c2, c3);
            d.check("network", "rm", net);
            bed.assertNothingLeft();
        }
    }
}
