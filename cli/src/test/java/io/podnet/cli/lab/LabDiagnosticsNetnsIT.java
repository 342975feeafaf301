package io.podnet.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cli.explain.Cluster;
import io.podnet.cli.explain.Explanation;
import io.podnet.cli.explain.Flow;
import io.podnet.cli.explain.Hop;
import io.podnet.cli.explain.PathWalker;
import io.podnet.net.IpAddress;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code podnet lab explain} and {@code podnet lab graph} on a real 3-node vxlan lab. Explain: each test breaks one thing in the kernels or in etcd,
 * checks that the pods really cannot talk (ping), asserts the hop and reason explain reports, and repairs it.
 * Agents of the broken node are stopped while their state is edited by hand, so no resync races the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabDiagnosticsNetnsIT {
    Path dir;
    Lab.Options opts;
    Lab lab;
    LabState.Pod p1;
    LabState.Pod p2;
    LabState.Node n1;
    LabState.Node n2;

    @BeforeAll
    void up() throws Exception {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Assumptions.assumeTrue(Sh.has("etcd") && Sh.has("gcc") && Sh.has("nft"), "needs etcd-server, gcc and nftables (installed by run-tests)");
        dir = Files.createTempDirectory(RunId.prefix() + "lab");
        opts = LabNetnsIT.options("vxlan", dir);
        opts = new Lab.Options(opts.name().substring(0, opts.name().length() - 2) + "ex", "vxlan", dir, opts.agentCommand(), opts.cniBinDir(), System.out);
        CniPlugin.ensureBuilt(opts.cniBinDir(), System.out);
        lab = Lab.up(opts, 3, 1);
        n1 = lab.state().node("n1");
        n2 = lab.state().node("n2");
        p1 = n1.pods.getFirst();
        p2 = n2.pods.getFirst();
    }

    @AfterAll
    void down() throws Exception {
        if (opts == null) return;
        Lab.down(opts);
        assertThat(Sh.check("ip", "netns", "list")).doesNotContain(opts.prefix() + "-");
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    Explanation explain(Flow.Proto proto, int size) throws Exception {
        Cluster c = LabSnapshot.read(lab);
        return PathWalker.explain(c, new Flow(IpAddress.parse(p1.ip), IpAddress.parse(p2.ip), proto, proto == Flow.Proto.ICMP ? 0 : 7777, size, true));
    }

    Explanation explain() throws Exception { return explain(Flow.Proto.ICMP, 84); }

    static Hop stopOf(Explanation e) {
        assertThat(e.reachable()).as(e.render(true)).isFalse();
        return e.failing().stop().orElseThrow();
    }

    boolean ping(String... extra) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ip", "netns", "exec", p1.ns, "ping", "-c", "1", "-W", "1"));
        cmd.addAll(java.util.List.of(extra));
        cmd.add(p2.ip);
        return Sh.run(cmd, 30).ok();
    }

    String n2Subnet() { return p2.ip.replaceAll("\\.\\d+$", ".0"); }

    /** Polls a condition on real processes (each poll runs a command) until a deadline. */
    static void await(String what, BooleanSupplier cond) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
        }
    }

    void restartAgent(LabState.Node n) throws Exception {
        lab.killAgent(n);
        lab.startAgent(n);
        lab.awaitAgent(n);
    }

    @Test
    void aHealthyPathIsReachableAndNamesEveryLayer() throws Exception {
        Explanation e = explain(Flow.Proto.TCP, 1450);
        assertThat(e.reachable()).as(e.render(true)).isTrue();
        assertThat(e.forward().hops()).extracting(Hop::ns).containsSubsequence("n1-p1", "n1", "sw", "n2", "n2-p1");
        assertThat(e.forward().hops()).anyMatch(h -> h.kind() == Hop.Kind.ROUTE && h.ns().equals("n1") && h.text().contains("dev flannel.1 onlink")
                && h.text().contains("proto 98 = podnet") && h.text().contains("lease " + n2Subnet() + "/24 → " + n2.ip));
        assertThat(ping()).isTrue();
    }

    @Test
    void deletedRouteFdbEntryAndNeighbourAreEachTheReportedHop() throws Exception {
        lab.killAgent(n1);
        String vtepMac = Sh.ip(n1.ns, "neigh", "show", n2Subnet(), "dev", "flannel.1").split("lladdr ")[1].split(" ")[0];
        try {
            Sh.check("ip", "-n", n1.ns, "route", "del", n2Subnet() + "/24");
            assertThat(ping()).isFalse();
            Hop route = stopOf(explain());
            assertThat(route).extracting(Hop::ns, Hop::kind).containsExactly("n1", Hop.Kind.ROUTE);
            assertThat(route.text()).contains("no route to " + p2.ip).contains("the lease " + n2Subnet() + "/24 (PublicIP " + n2.ip + ") exists")
                    .contains("the agent is not running");
            Sh.check("ip", "-n", n1.ns, "route", "replace", n2Subnet() + "/24", "via", n2Subnet(), "dev", "flannel.1", "onlink", "proto", "98");
            assertThat(explain().reachable()).isTrue();

            Sh.check("bridge", "-n", n1.ns, "fdb", "del", vtepMac, "dev", "flannel.1", "dst", n2.ip);
            assertThat(ping()).isFalse();
            Hop fdb = stopOf(explain());
            assertThat(fdb).extracting(Hop::ns, Hop::kind).containsExactly("n1", Hop.Kind.FDB);
            assertThat(fdb.text()).contains("no FDB entry for " + vtepMac + " on flannel.1");
            Sh.check("bridge", "-n", n1.ns, "fdb", "append", vtepMac, "dev", "flannel.1", "dst", n2.ip, "self", "permanent");
            assertThat(explain().reachable()).isTrue();

            Sh.check("ip", "-n", n1.ns, "neigh", "del", n2Subnet(), "dev", "flannel.1");
            assertThat(ping()).isFalse();
            Hop neigh = stopOf(explain());
            assertThat(neigh).extracting(Hop::ns, Hop::kind).containsExactly("n1", Hop.Kind.NEIGH);
            assertThat(neigh.text()).contains("flannel.1").contains("without learning");
        } finally {
            lab.startAgent(n1);
            lab.awaitAgent(n1);
        }
        await("n1's agent to reprogram the neighbour", () -> Sh.ip(n1.ns, "neigh", "show", "dev", "flannel.1").contains(n2Subnet() + " lladdr"));
        await("n1-p1 to reach n2-p1 again", this::ping);
    }

    @Test
    void aDeletedLeaseRemovesTheRouteAndExplainSaysNoNodeHoldsIt() throws Exception {
        String key = "/coreos.com/network/subnets/" + n2Subnet() + "-24";
        try {
            assertThat(lab.etcdctl("del", key).ok()).isTrue();
            await("n1 to drop its route to n2", () -> !Sh.ip(n1.ns, "route", "show").contains(n2Subnet() + "/24"));
            assertThat(ping()).isFalse();
            Hop h = stopOf(explain());
            assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Hop.Kind.ROUTE);
            assertThat(h.text()).contains("no route to " + p2.ip).contains("no node holds a lease covering " + p2.ip);
        } finally {
            restartAgent(n2); // acquires its subnet from subnet.env again
        }
        await("n1 to route to n2 again", () -> Sh.ip(n1.ns, "route", "show").contains(n2Subnet() + "/24"));
        await("n1-p1 to reach n2-p1 again", this::ping);
    }

    @Test
    void anNftDropRuleOnTheFarNodeIsTheDecidingRule() throws Exception {
        String table = RunId.prefix().replace("-", "") + "deny";
        Sh.check("ip", "netns", "exec", n2.ns, "nft", "add", "table", "inet", table);
        Sh.check("ip", "netns", "exec", n2.ns, "nft", "add", "chain", "inet", table, "pn_fwd", "{ type filter hook forward priority 0; policy accept; }");
        Sh.check("ip", "netns", "exec", n2.ns, "nft", "add", "rule", "inet", table, "pn_fwd", "ip", "daddr", p2.ip, "counter", "drop",
                "comment", "\"deny to p2\"");
        try {
            assertThat(ping()).isFalse();
            Hop h = stopOf(explain());
            assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n2", Hop.Kind.NFT);
            assertThat(h.text()).contains("nft forward drops it").contains("inet " + table + " pn_fwd").contains("ip daddr " + p2.ip)
                    .contains("deny to p2");
        } finally {
            Sh.check("ip", "netns", "exec", n2.ns, "nft", "delete table inet " + table);
        }
        assertThat(explain().reachable()).isTrue();
    }

    @Test
    void aPodMtuAboveItsVethPeerDropsFullSizePackets() throws Exception {
        Sh.check("ip", "-n", p1.ns, "link", "set", "eth0", "mtu", "1500");
        try {
            assertThat(ping("-M", "do", "-s", "1472")).as("a 1500-byte DF ping").isFalse();
            assertThat(ping()).as("a small ping still passes").isTrue();
            Hop h = stopOf(explain(Flow.Proto.ICMP, 1500));
            assertThat(h).extracting(Hop::ns, Hop::kind).containsExactly("n1", Hop.Kind.MTU);
            assertThat(h.text()).contains("1500-byte frame from eth0 (MTU 1500) is larger than the MTU 1450 of pnv");
            assertThat(explain(Flow.Proto.ICMP, 1450).reachable()).isTrue();
        } finally {
            Sh.check("ip", "-n", p1.ns, "link", "set", "eth0", "mtu", "1450");
        }
    }

    @Test
    void aDownBridgePortOnTheFarNodeIsTheReportedLink() throws Exception {
        String port = Sh.ipJson(p2.ns, "link", "show", "eth0").get(0).path("link_index").asText();
        String hostVeth = Sh.ipJson(n2.ns, "link", "show").findParents("ifindex").stream()
                .filter(l -> l.path("ifindex").asText().equals(port)).findFirst().orElseThrow().path("ifname").asText();
        Sh.check("ip", "-n", n2.ns, "link", "set", hostVeth, "down");
        try {
            assertThat(ping()).isFalse();
            Hop h = stopOf(explain());
            assertThat(h.ns()).isEqualTo("n2");
            assertThat(h.kind()).isIn(Hop.Kind.LINK, Hop.Kind.NEIGH);
            assertThat(h.text()).contains(hostVeth).contains("down");
        } finally {
            Sh.check("ip", "-n", n2.ns, "link", "set", hostVeth, "up");
        }
        await("n1-p1 to reach n2-p1 again", this::ping);
    }

    @Test
    void theNodeCommandWalksAsFarAsItsNodeSees() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = io.podnet.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        int far = cl.execute("explain", "--node-ns", "/run/netns/" + n1.ns, p1.ip, p2.ip, "--proto", "icmp");
        assertThat(far).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("dev flannel.1 onlink").contains("LEFT at ");

        java.io.StringWriter local = new java.io.StringWriter();
        cl = io.podnet.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(local));
        assertThat(cl.execute("explain", "--node-ns", "/run/netns/" + n1.ns, n1.ip, p1.ip)).as(local.toString()).isZero();
        assertThat(local.toString()).contains("delivered to " + p1.ip).endsWith("REACHABLE\n");
    }

    @Test
    void theGraphIsValidSvgNamingEveryNodeAndPod() throws Exception {
        Path svg = dir.resolve("lab.svg");
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = io.podnet.cli.Main.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        assertThat(cl.execute("lab", "graph", "--name", opts.name(), "--dir", dir.toString(), "-o", svg.toString())).as(out.toString()).isZero();
        var xml = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no fetching the SVG DTD
        var doc = xml.newDocumentBuilder().parse(svg.toFile());
        assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
        String text = doc.getDocumentElement().getTextContent();
        for (LabState.Node n : lab.state().nodes) {
            assertThat(text).contains(n.name, n.ip);
            for (LabState.Pod p : n.pods) assertThat(text).contains(p.name, p.ip);
        }
        assertThat(text).contains("vxlan vni 1").doesNotContain("one-way");
        Files.delete(svg);
    }
}
