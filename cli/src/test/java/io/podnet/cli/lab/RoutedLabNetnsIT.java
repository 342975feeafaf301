package io.podnet.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The calico-style routed mode end to end, as a user sees it: `podnet lab up --mode calico-bgp` with 3 nodes x 2
 * pods (pods on /32 routes, every agent's BGP speaker in a node-to-node mesh, etcd holding Calico's Node, IPPool
 * and block resources), then a 4th node, an agent crash and restart without a lost packet, an etcd outage, and a
 * node removal. Real agents, real etcd, pods attached by executing the CNI plugin.
 */
class RoutedLabNetnsIT {

    @Test
    void meshOfThreeGrowsSurvivesACrashAndAnEtcdOutageAndForgetsARemovedNode() throws Exception {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Assumptions.assumeTrue(Sh.has("etcd") && Sh.has("gcc"), "needs etcd-server and gcc (installed by run-tests)");
        Path dir = Files.createTempDirectory(RunId.prefix() + "lab");
        Lab.Options opts = LabNetnsIT.options(Lab.CALICO_BGP, dir);
        CniPlugin.ensureBuilt(opts.cniBinDir(), System.out);
        try {
            Lab lab = Lab.up(opts, 3, 2); // returns once every node routes every other node's pods
            Connectivity.Matrix m = Connectivity.measure(lab.state().pods());
            assertThat(m.allOk()).as(m.render()).isTrue();

            // what a Calico user finds: /32 host routes on cali* veths, a blackhole for the node's own block, the
            // other nodes' blocks via those nodes, and the Node resources carrying spec.bgp.ipv4Address
            LabState.Node n1 = lab.state().node("n1");
            String routes = Sh.check("ip", "-n", n1.ns, "route");
            LabState.Pod n1p1 = n1.pods.getFirst();
            assertThat(routes).containsPattern(n1p1.ip + " dev cali[0-9a-f]{11} proto 98 scope link")
                    .containsPattern("blackhole 10\\.65\\.\\d+\\.\\d+/26 proto 98")
                    .containsPattern("10\\.65\\.\\d+\\.\\d+/26 via 192\\.168\\.200\\.2 dev eth0 proto 98")
                    .containsPattern("10\\.65\\.\\d+\\.\\d+/26 via 192\\.168\\.200\\.3 dev eth0 proto 98");
            assertThat(lab.etcdctl("get", "/calico/resources/v3/projectcalico.org/nodes/n2", "--print-value-only").out())
                    .contains("\"ipv4Address\":\"192.168.200.2/24\"");
            assertThat(Sh.check("ip", "netns", "exec", n1p1.ns, "ip", "route"))
                    .contains("default via 169.254.1.1 dev eth0").contains("169.254.1.1 dev eth0 scope link");

            // `podnet node status` on n1: both mesh sessions up, as calicoctl prints them
            // (the status file is rewritten every second and a session may still be settling a connection
            // collision: read it until both are up, for at most 10 s)
            java.io.StringWriter sw;
            int code;
            long statusUntil = System.nanoTime() + 10_000_000_000L;
            do {
                sw = new java.io.StringWriter();
                picocli.CommandLine cl = io.podnet.cli.Main.commandLine();
                cl.setOut(new java.io.PrintWriter(sw));
                code = cl.execute("node", "status", "--state-dir", dir.resolve(opts.name()).resolve("n1").resolve("state").toString());
                if (code == 0 && !sw.toString().contains("| start ")) break;
                Thread.sleep(200);
            } while (System.nanoTime() < statusUntil);
            assertThat(code).as(sw.toString()).isZero();
            assertThat(sw.toString()).containsPattern("\\| 192\\.168\\.200\\.2 +\\| node-to-node mesh \\| up +\\| \\d\\d:\\d\\d:\\d\\d \\| Established \\|")
                    .containsPattern("\\| 192\\.168\\.200\\.3 +\\| node-to-node mesh \\| up ");

            // a 4th node: the mesh takes it in (every other agent adds it as a peer at its next datastore read)
            LabState.Node n4 = lab.addNode(1);
            assertThat(lab.awaitRoutes(Duration.ofSeconds(10))).as("routes after n4 joined: missing %s", lab.missingRoutes()).isTrue();
            Connectivity.Matrix m4 = Connectivity.measure(lab.state().pods());
            assertThat(m4.allOk()).as(m4.render()).isTrue();

            // SIGKILL node 2's agent and start it again while n1-p1 pings n2-p1 at 20/s: not one packet lost (the
            // kernel keeps the routes, the peers keep n2's block through graceful restart, and the new agent
            // starts with the routes it had learned)
            LabState.Node n2 = lab.state().node("n2");
            Process ping = new ProcessBuilder("ip", "netns", "exec", n1p1.ns, "ping", "-i", "0.05", "-W", "1", "-c", "160",
                    n2.pods.getFirst().ip).redirectErrorStream(true).start();
            Thread.sleep(500);
            lab.killAgent(n2);
            lab.startAgent(n2);
            lab.awaitAgent(n2);
            String pingOut = new String(ping.getInputStream().readAllBytes());
            ping.waitFor();
            assertThat(pingOut).as(pingOut).contains(" 0% packet loss");
            assertThat(lab.awaitRoutes(Duration.ofSeconds(10))).as("routes after n2's restart: missing %s", lab.missingRoutes()).isTrue();
            Connectivity.Matrix after = Connectivity.measure(lab.state().pods());
            assertThat(after.allOk()).as(after.render()).isTrue();

            // remove node 3 (CNI DEL of its pods, agent stopped, its Node resource deleted): every other node
            // drops its session and its block's route
            LabState.Node n3 = lab.state().node("n3");
            lab.removeNode(n3);
            for (LabState.Node n : List.of(n1, n2, n4)) {
                long until = System.nanoTime() + 10_000_000_000L;
                String state;
                do {
                    state = Sh.check("ip", "-n", n.ns, "route");
                } while (state.contains("via " + n3.ip + " ") && System.nanoTime() < until);
                assertThat(state).as("node %s still routes via the removed node; its log:%n%s", n.name,
                        Lab.tail(dir.resolve(opts.name()).resolve(n.name).resolve("agent.log"))).doesNotContain("via " + n3.ip + " ");
            }
            // etcd goes away: sessions, routes and pods keep working; it returns: the agents read it again by
            // themselves (a new pod on n1 gets its address and is reachable from everyone)
            lab.stopEtcd();
            Thread.sleep(1500); // a few datastore reads fail meanwhile
            Connectivity.Matrix during = Connectivity.measure(lab.state().pods());
            assertThat(during.allOk()).as("dataplane during the etcd outage\n" + during.render()).isTrue();
            lab.restartEtcd();
            long until = System.nanoTime() + 30_000_000_000L;
            LabState.Pod late = null;
            while (late == null) {
                try {
                    late = lab.addPod(n1);
                } catch (java.io.IOException e) {
                    if (System.nanoTime() > until) {
                        throw new AssertionError("no ADD on n1 30 s after etcd returned: " + e.getMessage() + "; n1 log:\n"
                                + Lab.tail(dir.resolve(opts.name()).resolve("n1").resolve("agent.log")), e);
                    }
                    Thread.sleep(500);
                }
            }
            assertThat(lab.awaitRoutes(Duration.ofSeconds(10))).as("routes after etcd returned: missing %s", lab.missingRoutes()).isTrue();
            Connectivity.Matrix last = Connectivity.measure(lab.state().pods());
            assertThat(last.allOk()).as(last.render()).isTrue();
        } finally {
            Lab.down(opts);
            assertThat(Sh.check("ip", "netns", "list")).doesNotContain(opts.prefix() + "-");
            new File(dir.toString()).delete();
        }
    }
}
