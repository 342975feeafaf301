package io.podnet.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A dense lab: 2 nodes with 50 pods each on one kernel, more neighbour entries than the kernel's default
 * {@code gc_thresh3} (1024) allows. The lab sizes the thresholds, every one of the 9,900 pairs connects (TCP, 16
 * in parallel; ICMP for a sample), and {@code lab down} puts the host's values back exactly.
 */
class DenseLabNetnsIT {
    static final int PODS_PER_NODE = 50;

    @Test
    void hundredPodsEveryPairReachableAndTheThresholdsRestored() throws Exception {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Assumptions.assumeTrue(Sh.has("etcd") && Sh.has("gcc"), "needs etcd-server and gcc (installed by run-tests)");
        NeighThresholds host = NeighThresholds.host();
        List<Long> before = new ArrayList<>();
        for (String k : NeighThresholds.KEYS) before.add(host.read(k));
        Path dir = Files.createTempDirectory(RunId.prefix() + "dense");
        Lab.Options base = LabNetnsIT.options("host-gw", dir);
        Lab.Options opts = new Lab.Options(RunId.prefix().substring(2) + "dn", "host-gw", dir, base.agentCommand(), base.cniBinDir(), null);
        CniPlugin.ensureBuilt(opts.cniBinDir(), System.out);
        try {
            Lab lab = Lab.up(opts, 2, PODS_PER_NODE);
            List<LabState.Pod> pods = lab.state().pods();
            assertThat(pods).hasSize(2 * PODS_PER_NODE);
            assertThat(host.read("net/ipv4/neigh/default/gc_thresh3")).isGreaterThanOrEqualTo(NeighThresholds.needed(List.of(50, 50)));

            List<String> failed = tcpMatrix(pods);
            assertThat(failed).as(failed.size() + " of " + pods.size() * (pods.size() - 1) + " pairs failed").isEmpty();
            for (int i = 0; i < pods.size(); i += 7) { // ICMP too, for a spread of pairs across both nodes
                LabState.Pod from = pods.get(i);
                LabState.Pod to = pods.get((i * 31 + 13) % pods.size());
                if (from != to) assertThat(Connectivity.ping(from, to.ip) || Connectivity.ping(from, to.ip)).as(from.name + " -> " + to.name).isTrue();
            }
            long entries = 0;
            for (LabState.Pod p : pods) entries += Sh.run("ip", "-n", p.ns, "-4", "neigh", "show").out().lines().count();
            System.out.println("dense lab: " + entries + " IPv4 neighbour entries in the pods' namespaces");
            assertThat(entries).as("the lab really needs more than the default table").isGreaterThan(1024);
        } finally {
            Lab.down(opts);
            Files.deleteIfExists(dir);
        }
        List<Long> after = new ArrayList<>();
        for (String k : NeighThresholds.KEYS) after.add(host.read(k));
        assertThat(after).as("host thresholds after lab down").isEqualTo(before);
    }

    /** Every ordered pair over TCP, one task per source pod on 16 threads; returns the failed pairs. */
    static List<String> tcpMatrix(List<LabState.Pod> pods) throws Exception {
        List<ServerSocket> servers = new ArrayList<>();
        ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (LabState.Pod p : pods) servers.add(Connectivity.listen(p));
            List<Future<?>> jobs = new ArrayList<>();
            for (LabState.Pod from : pods) {
                for (LabState.Pod to : pods) {
                    if (from == to) continue;
                    jobs.add(pool.submit(() -> {
                        if (!Connectivity.tcp(from, to.ip) && !Connectivity.tcp(from, to.ip)) failed.add(from.name + "->" + to.name);
                        done.incrementAndGet();
                        return null;
                    }));
                }
            }
            for (Future<?> f : jobs) f.get();
        } finally {
            pool.shutdownNow();
            for (ServerSocket s : servers) s.close();
        }
        return List.copyOf(failed);
    }
}
