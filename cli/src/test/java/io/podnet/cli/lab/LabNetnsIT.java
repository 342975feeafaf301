package io.podnet.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The overlay end to end, as a user sees it: a 3-node lab per backend with 2 pods per node, then a 4th node,
 * an agent crash and restart, and a node removal. Agents are real `podnet agent` processes, etcd is Debian's,
 * pods are attached by executing the CNI plugin.
 */
class LabNetnsIT {

    static Lab.Options options(String mode, Path dir) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> agent = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC", "-cp", cp, "io.podnet.cli.Main"));
        String name = RunId.prefix().substring(2) + mode.replace("-", "").substring(0, 2);
        return new Lab.Options(name, mode, dir, agent, Path.of("..", "cni", "target", "bin").toAbsolutePath().normalize(), System.out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vxlan", "host-gw", "udp"})
    void threeNodesGrowSurviveAnAgentCrashAndForgetARemovedNode(String mode) throws Exception {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Assumptions.assumeTrue(Sh.has("etcd") && Sh.has("gcc"), "needs etcd-server and gcc (installed by run-tests)");
        Path dir = Files.createTempDirectory(RunId.prefix() + "lab");
        Lab.Options opts = options(mode, dir);
        CniPlugin.ensureBuilt(opts.cniBinDir(), System.out);
        try {
            Lab lab = Lab.up(opts, 3, 2);
            Connectivity.Matrix m = Connectivity.measure(lab.state().pods());
            assertThat(m.allOk()).as(m.render()).isTrue();

            // a 4th node: its pod reaches every other pod, and they reach it, within 2 s of its CNI ADD (each
            // pair retried until then: a whole matrix takes longer than 2 s to measure), then the whole matrix
            LabState.Node n4 = lab.addNode(1);
            long deadline = System.nanoTime() + 2_000_000_000L;
            LabState.Pod newPod = n4.pods.getFirst();
            List<LabState.Pod[]> pending = new ArrayList<>();
            for (LabState.Pod p : lab.state().pods()) {
                if (p != newPod) {
                    pending.add(new LabState.Pod[] {newPod, p});
                    pending.add(new LabState.Pod[] {p, newPod});
                }
            }
            do {
                pending.removeIf(pair -> pingOnce(pair[0], pair[1].ip));
            } while (!pending.isEmpty() && System.nanoTime() < deadline);
            assertThat(pending).as("pairs with the new node still failing 2 s after its ADD")
                    .extracting(pair -> pair[0].name + "->" + pair[1].name).isEmpty();
            Connectivity.Matrix m4 = Connectivity.measure(lab.state().pods());
            assertThat(m4.allOk()).as(m4.render()).isTrue();

            // kill node 2's agent and restart it: pods keep talking (not for udp, whose data path is the agent) and the subnet stays
            LabState.Node n2 = lab.state().node("n2");
            String subnetBefore = Files.readString(dir.resolve(opts.name()).resolve("n2/subnet.env"));
            LabState.Pod n1p1 = lab.state().node("n1").pods.getFirst();
            Process ping = new ProcessBuilder("ip", "netns", "exec", n1p1.ns, "ping", "-i", "0.05", "-W", "1", "-c", "120",
                    n2.pods.getFirst().ip).redirectErrorStream(true).start();
            lab.killAgent(n2);
            lab.startAgent(n2);
            lab.awaitAgent(n2);
            String pingOut = new String(ping.getInputStream().readAllBytes());
            ping.waitFor();
            assertThat(Files.readString(dir.resolve(opts.name()).resolve("n2/subnet.env"))).isEqualTo(subnetBefore);
            if (!mode.equals("udp")) assertThat(pingOut).as(pingOut).contains(" 0% packet loss");
            Connectivity.Matrix after = Connectivity.measure(lab.state().pods());
            assertThat(after.allOk()).as(after.render()).isTrue();

            if (mode.equals("vxlan")) etcdOutage(lab);

            // remove node 3: its routes, FDB entries and neighbours vanish from every other node
            LabState.Node n3 = lab.state().node("n3");
            String n3Subnet = n3.pods.getFirst().ip.replaceAll("\\.\\d+$", ".0");
            lab.removeNode(n3);
            for (LabState.Node n : List.of(lab.state().node("n1"), n2, n4)) {
                long until = System.nanoTime() + 5_000_000_000L;
                String state;
                do {
                    state = Sh.run("ip", "-n", n.ns, "route").out() + Sh.run("ip", "-n", n.ns, "neigh").out()
                            + Sh.run("bridge", "-n", n.ns, "fdb", "show").out();
                } while ((state.contains(n3Subnet) || state.contains(n3.ip + " ")) && System.nanoTime() < until);
                assertThat(state).as("node " + n.name + " still knows the removed node").doesNotContain(n3Subnet).doesNotContain("dst " + n3.ip);
            }
            Connectivity.Matrix last = Connectivity.measure(lab.state().pods());
            assertThat(last.allOk()).as(last.render()).isTrue();
        } finally {
            Lab.down(opts);
            assertThat(Sh.check("ip", "netns", "list")).doesNotContain(opts.prefix() + "-");
            new File(dir.toString()).delete();
        }
    }

    /**
     * etcd goes away: the dataplane keeps running untouched; a node joining meanwhile serves CNI but its ADD
     * answers code 11 (no lease without etcd); etcd returns: the new node gets its lease by itself, and the
     * other agents' watches resume, so its pod reaches everyone.
     */
    private static void etcdOutage(Lab lab) throws Exception {
        lab.stopEtcd();
        Connectivity.Matrix during = Connectivity.measure(lab.state().pods());
        assertThat(during.allOk()).as("dataplane during the etcd outage\n" + during.render()).isTrue();

        LabState.Node late = lab.addNodeNoWait();
        long until = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(Path.of(late.socket)) && System.nanoTime() < until) Thread.sleep(50);
        assertThatThrownBy(() -> lab.addPod(late)).hasMessageMatching("(?s).*\"code\":\\s*11\\b.*");
        assertThat(Sh.check("ip", "netns", "list")).doesNotContain(late.ns + "-p1");

        lab.restartEtcd();
        lab.awaitAgent(late);
        lab.addPod(late);
        long deadline = System.nanoTime() + 10_000_000_000L;
        Connectivity.Matrix after;
        do {
            after = Connectivity.measure(lab.state().pods());
        } while (!after.allOk() && System.nanoTime() < deadline);
        assertThat(after.allOk()).as("after etcd returned\n" + after.render()).isTrue();
    }

    private static boolean pingOnce(LabState.Pod from, String to) {
        try {
            return Sh.run("ip", "netns", "exec", from.ns, "ping", "-c", "1", "-W", "1", to).ok();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
