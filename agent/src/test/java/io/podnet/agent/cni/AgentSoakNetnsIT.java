package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Soak: 2,000 ADD/DEL pairs through the C shim from 16 concurrent callers (one pod namespace each, as a runtime
 * on a busy node), while the agent is SIGKILLed and restarted 10 times at random points. Each pair is an ADD
 * (any outcome: during a restart it is code 11) followed by DEL, retried until it succeeds, as runtimes do.
 * Afterwards nothing is left (veths, pod interfaces and addresses, reservations, per-pod nft state, files in the
 * state directory) and the agent's RSS is within 10 % of its level after the first 100 pairs (the agent runs with
 * a fixed pre-touched heap, so RSS growth means native memory, threads or sockets, not heap sizing).
 * Takes about 2-4 minutes on a loaded 2-core machine.
 */
class AgentSoakNetnsIT {
    static final int PAIRS = 2000;
    static final int CALLERS = 16;
    static final int KILLS = 10;
    static final List<String> JVM = List.of("-XX:+UseSerialGC", "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch", "-Xss512k");

    @Test
    void twoThousandPairsWithTenKillsLeaveNothingAndNoMemoryGrowth() throws Exception {
        assumeTrue(Netns.privileged(), "needs root for network namespaces");
        try (CniTestBed bed = new CniTestBed()) {
            bed.startAgent(JVM);
            String net = RunId.prefix() + "sk";
            ObjectNode conf = bed.bridgeConf("1.0.0", net, RunId.name("sb"), "10.83.0.0/22");
            conf.put("ipMasq", true);
            List<Netns> pods = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) pods.add(bed.pod());
            // warm-up pair, then the baseline of what a network (not a pod) leaves behind
            bed.podnet("ADD", "warm", pods.get(0), "eth0", conf.toString());
            assertThat(bed.podnet("DEL", "warm", pods.get(0), "eth0", conf.toString()).exit()).isZero();
            bed.awaitNetworkStateGone(net); // the network's node state goes with its last endpoint
            String nftBefore = nft(bed);
            List<String> filesBefore = files(bed.stateDir);

            Random rnd = new Random();
            TreeSet<Integer> killAt = new TreeSet<>();
            while (killAt.size() < KILLS) killAt.add(150 + rnd.nextInt(PAIRS - 450)); // the last restart leaves >= 300 pairs
            AtomicInteger next = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            AtomicInteger addOk = new AtomicInteger();
            long[] rss = new long[2];
            try (ExecutorService callers = Executors.newFixedThreadPool(CALLERS)) {
                List<Future<?>> jobs = new ArrayList<>();
                for (int c = 0; c < CALLERS; c++) {
                    Netns pod = pods.get(c);
                    jobs.add(callers.submit(() -> {
                        for (int n; (n = next.getAndIncrement()) < PAIRS; ) {
                            String id = "soak" + n;
                            if (bed.podnet("ADD", id, pod, "eth0", conf.toString()).exit() == 0) addOk.incrementAndGet();
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                            CniTestBed.Run del;
                            while ((del = bed.podnet("DEL", id, pod, "eth0", conf.toString())).exit() != 0) {
                                if (System.nanoTime() > deadline) throw new AssertionError("DEL " + id + " never succeeded: " + del);
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250)); // the agent is restarting
                            }
                            done.incrementAndGet();
                        }
                        return null;
                    }));
                }
                Process agent = null;
                while (done.get() < PAIRS && jobs.stream().anyMatch(f -> !f.isDone())) {
                    if (rss[0] == 0 && done.get() >= 100) rss[0] = rssKb(bed);
                    if (!killAt.isEmpty() && done.get() >= killAt.first()) {
                        killAt.pollFirst();
                        bed.killAgent();
                        agent = bed.startAgent(JVM);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                for (Future<?> f : jobs) f.get();
                assertThat(agent).as("restarted").isNotNull();
            }
            rss[1] = rssKb(bed);
            System.out.printf("soak: %d pairs, %d ADDs succeeded, %d kills; agent RSS after 100 pairs %d kB, at the end %d kB%n",
                    done.get(), addOk.get(), KILLS, rss[0], rss[1]);
            assertThat(done.get()).isEqualTo(PAIRS);
            assertThat(bed.hostVeths()).as("veths").isEmpty();
            for (Netns p : pods) {
                assertThat(Sh.ipJson(p.name(), "link", "show").findValuesAsText("ifname")).as("links in " + p).containsExactly("lo");
                assertThat(Sh.ip(p.name(), "-o", "addr", "show")).as("addresses in " + p).doesNotContain("10.83.");
            }
            assertThat(bed.reservations(net)).as("reservations").isEmpty();
            bed.awaitNetworkStateGone(net);
            assertThat(nft(bed)).as("nft ruleset").isEqualTo(nftBefore);
            assertThat(files(bed.stateDir)).as("files in the state directory").isEqualTo(filesBefore);
            assertThat((double) rss[1]).as("RSS at the end vs after the first 100 pairs (kB)").isBetween(rss[0] * 0.9, rss[0] * 1.1);
        }
    }

    static long rssKb(CniTestBed bed) throws IOException {
        long pid = bed.agentPid();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IOException("no VmRSS for " + pid);
    }

    static String nft(CniTestBed bed) {
        return Sh.run("ip", "netns", "exec", bed.host.name(), "nft", "list", "ruleset").out();
    }

    static List<String> files(Path root) throws IOException {
        if (!Files.exists(root)) return List.of();
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).filter(n -> !n.endsWith(".lock")).sorted().toList();
        }
    }
}
