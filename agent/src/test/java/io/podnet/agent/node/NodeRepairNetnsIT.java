package io.podnet.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.podnet.dataplane.ForwardRule;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The node dataplane repairs every kind of out-of-band edit on a node that runs the vxlan overlay, a CNI bridge
 * network and a routed pod at once, and cross-node pod traffic works again: link, address and route edits within
 * 2 s (kernel events), the rest (FDB, neighbours, nft, sysctls, podnet's FORWARD accepts) within the shortened
 * resync interval, all with the filter FORWARD policy set to DROP (what a dockerd on the node does). A full resync
 * of one node's tables changes none of the three producers' routes, rules or links.
 */
class NodeRepairNetnsIT {
    static final Duration EVENT_REPAIR = Duration.ofSeconds(2);
    static final Duration RESYNC_REPAIR = TwoNodeBed.RESYNC.multipliedBy(2).plusSeconds(1);

    private static String n1(TwoNodeBed bed, String... args) {
        return Sh.ip(bed.nodes.getFirst().ns.name(), args);
    }

    /** The same, "" while the object asked about does not exist (yet): for the repaired-conditions polled during a repair. */
    private static String n1Now(TwoNodeBed bed, String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ip", "-n", bed.nodes.getFirst().ns.name()));
        cmd.addAll(java.util.List.of(args));
        Sh.Result r = Sh.run(cmd.toArray(String[]::new));
        return r.ok() ? r.out() : "";
    }

    /**
     * Node 1's routes in every table, without the local routes of IPv6 link-local addresses: the kernel adds those
     * when duplicate address detection ends, a second or two after a link comes up, whatever podnet does.
     */
    private static String routes(TwoNodeBed bed) {
        return n1(bed, "route", "show", "table", "all").lines().filter(l -> !l.startsWith("local fe80:"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /** Breaks something, then waits until {@code repaired} holds and traffic flows; asserts it happened within {@code within}. */
    private static void repairs(TwoNodeBed bed, String what, Runnable breakIt, BooleanSupplier repaired, Duration within) {
        long t0 = System.nanoTime();
        breakIt.run();
        long deadline = t0 + within.toNanos();
        while (!repaired.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + ": not repaired within " + within).isLessThan(deadline);
            Thread.onSpinWait();
        }
        long repairedAt = System.nanoTime();
        long trafficDeadline = repairedAt + Duration.ofSeconds(5).toNanos();
        while (!bed.crossNodeTrafficWorks()) {
            assertThat(System.nanoTime()).as(what + ": traffic does not flow again").isLessThan(trafficDeadline);
        }
        System.out.printf("repair of %s: %d ms%n", what, (repairedAt - t0) / 1_000_000);
    }

    @Test
    void everyOutOfBandEditIsRepairedAndTrafficFlowsAgain() throws Exception {
        assumeTrue(Netns.privileged(), "needs root for network namespaces");
        assumeTrue(Sh.has("etcd"), "needs etcd-server (installed by run-tests)");
        assumeTrue(Sh.has("iptables"), "needs iptables (installed by run-tests)");
        try (TwoNodeBed bed = new TwoNodeBed()) {
            assertThat(bed.crossNodeTrafficWorks()).as("the bed works before anything is broken").isTrue();
            TwoNodeBed.Node a = bed.nodes.getFirst();
            TwoNodeBed.Node b = bed.nodes.get(1);
            String nsA = a.ns.name();

            // a dockerd on the node sets the filter FORWARD policy to DROP: podnet's accepts keep pods reachable
            for (TwoNodeBed.Node n : bed.nodes) n.ns.exec("iptables", "-P", "FORWARD", "DROP").check();
            assertThat(bed.crossNodeTrafficWorks()).as("pod traffic with the FORWARD policy DROP").isTrue();

            // coexistence: a full resync of node 1 leaves every producer's routes, rules and links as they are
            String routes = routes(bed);
            String links = n1(bed, "-o", "link", "show").replaceAll("\\d+: ", "").replaceAll("link-netns \\S+|link-netnsid \\d+", "");
            String rules = a.ns.exec("nft", "list", "ruleset").check().out();
            a.dp.queueResync();
            assertThat(a.dp.applyNow().ok()).isTrue();
            assertThat(routes(bed)).isEqualTo(routes);
            assertThat(n1(bed, "-o", "link", "show").replaceAll("\\d+: ", "").replaceAll("link-netns \\S+|link-netnsid \\d+", "")).isEqualTo(links);
            assertThat(a.ns.exec("nft", "list", "ruleset").check().out()).isEqualTo(rules);
            assertThat(routes).contains("dev flannel.1 proto 98").contains(a.routedPodIp + " dev cali").contains("dev cni0 proto kernel");

            String remote = b.lease.toString();
            repairs(bed, "the vxlan device", () -> Sh.ip(nsA, "link", "del", "flannel.1"),
                    () -> n1(bed, "route", "show", remote).contains("flannel.1"), EVENT_REPAIR);
            repairs(bed, "the CNI bridge", () -> Sh.ip(nsA, "link", "del", "cni0"),
                    () -> n1Now(bed, "-o", "addr", "show", "dev", "cni0").contains("inet ") && n1Now(bed, "link", "show", "master", "cni0").contains("pnv"),
                    EVENT_REPAIR);
            repairs(bed, "a pod's host route", () -> Sh.ip(nsA, "route", "del", a.routedPodIp + "/32"),
                    () -> n1(bed, "route", "show", a.routedPodIp).contains("dev cali"), EVENT_REPAIR);
            repairs(bed, "a remote route", () -> Sh.ip(nsA, "route", "del", remote),
                    () -> n1(bed, "route", "show", remote).contains("flannel.1"), EVENT_REPAIR);
            String vtepB = Sh.ipJson(b.ns.name(), "link", "show", "flannel.1").get(0).get("address").asText();
            repairs(bed, "an FDB entry", () -> Sh.run("bridge", "-n", nsA, "fdb", "del", vtepB, "dev", "flannel.1", "dst", "192.168.210.2"),
                    () -> Sh.run("bridge", "-n", nsA, "fdb", "show", "dev", "flannel.1").out().contains(vtepB), RESYNC_REPAIR);
            String vtepIp = b.lease.address().toString();
            repairs(bed, "a neighbour entry", () -> Sh.ip(nsA, "neigh", "del", vtepIp, "dev", "flannel.1"),
                    () -> n1(bed, "neigh", "show", "dev", "flannel.1").contains(vtepIp + " lladdr"), RESYNC_REPAIR);
            repairs(bed, "nft delete table inet podnet", () -> a.ns.exec("nft", "delete", "table", "inet", "podnet").check(),
                    () -> a.ns.exec("nft", "list", "ruleset").out().contains("overlay_masq"), RESYNC_REPAIR);
            repairs(bed, "net.ipv4.ip_forward=0", () -> a.ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=0").check(),
                    () -> a.ns.exec("sysctl", "-n", "net.ipv4.ip_forward").out().strip().equals("1"), RESYNC_REPAIR);
            repairs(bed, "iptables -F FORWARD under policy DROP", () -> a.ns.exec("iptables", "-F", "FORWARD").check(),
                    () -> a.ns.exec("iptables", "-S", "FORWARD").out().contains(ForwardRule.COMMENT), RESYNC_REPAIR);
            assertThat(a.dp.health()).allSatisfy(h -> assertThat(h.firstApplyDone()).as(h.table()).isTrue());
        }
    }
}
