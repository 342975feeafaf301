package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL of the agent and a restart while pods on an ipMasq network ping a "world" address outside the pod
 * subnet at 10/s: the world has no route back to the pods, so every reply proves the masquerade rule was there.
 * The host's nft table and routes are sampled all through the restart: no sample may lack the rule or a route,
 * and no ping sent after the restart may be lost, also when another network's ADD rewrites the table right after
 * the restart (the old agent forgot every chain but the new one's). A restarted agent derives the network's state from its record
 * and the IPAM reservations before its first pass, so it deletes nothing that should stay.
 */
class AgentRestartNetnsIT {
    static final String WORLD = "198.18.7.2";
    private static final Pattern REPLY = Pattern.compile("icmp_seq=(\\d+) ttl");

    @Test
    void sigkillAndRestartLoseNoMasqueradedPingAndNoRuleOrRoute() throws Exception {
        assumeTrue(Netns.privileged(), "needs root for network namespaces");
        try (CniTestBed bed = new CniTestBed(); Netns world = Netns.create("w")) {
            Sh.ip(bed.host.name(), "link", "add", "w0", "type", "veth", "peer", "name", "eth0", "netns", world.name());
            Sh.ip(bed.host.name(), "addr", "add", "198.18.7.1/24", "dev", "w0");
            Sh.ip(bed.host.name(), "link", "set", "w0", "up");
            Sh.ip(world.name(), "addr", "add", WORLD + "/24", "dev", "eth0");
            Sh.ip(world.name(), "link", "set", "eth0", "up");
            bed.startAgent();
            String bridge = RunId.name("m");
            ObjectNode conf = bed.bridgeConf("1.0.0", "masq", bridge, "10.82.0.0/24");
            conf.put("ipMasq", true).put("isDefaultGateway", true);
            List<Netns> pods = List.of(bed.pod(), bed.pod());
            for (int i = 0; i < pods.size(); i++) {
                var r = bed.podnet("ADD", "ctr-r" + i, pods.get(i), "eth0", conf.toString());
                assertThat(r.exit()).as(r.toString()).isZero();
            }
            assertThat(pods.getFirst().ping(WORLD)).as("masquerade works before the restart").isTrue();

            List<String> missing = new CopyOnWriteArrayList<>();
            AtomicBoolean sampling = new AtomicBoolean(true);
            int[] samples = new int[1];
            Thread sampler = Thread.ofPlatform().start(() -> {
                while (sampling.get()) {
                    String rules = bed.host.exec("nft", "list", "table", "inet", "podnet").out();
                    String routes = Sh.run("ip", "-n", bed.host.name(), "route", "show").out();
                    samples[0]++;
                    if (!rules.contains("ip saddr 10.82.0.0/24") || !rules.contains("masquerade")) missing.add("rule: " + rules);
                    if (!routes.contains("10.82.0.0/24 dev " + bridge) || !routes.contains("198.18.7.0/24 dev w0")) missing.add("route: " + routes);
                }
            });
            long t0 = System.nanoTime();
            List<Pinger> pings = new ArrayList<>();
            for (Netns p : pods) pings.add(Pinger.start(p, WORLD));
            for (Pinger p : pings) assertThat(p.awaitReply(30, Duration.ofSeconds(30))).as("3 s of pings before the kill").isTrue();
            bed.killAgent();
            bed.startAgent();
            long restartedAfterMs = (System.nanoTime() - t0) / 1_000_000;
            // another network's ADD rewrites the nft table: it must still hold the first network's masquerade
            ObjectNode other = bed.bridgeConf("1.0.0", "other", RunId.name("o"), "10.83.0.0/24");
            other.put("ipMasq", true);
            Netns third = bed.pod();
            var added = bed.podnet("ADD", "ctr-other", third, "eth0", other.toString());
            assertThat(added.exit()).as(added.toString()).isZero();
            // ping seq n leaves n-1 intervals after its start at the earliest: from this seq on, all left after the restart
            int firstSeqAfterRestart = (int) (restartedAfterMs / 100) + 2;
            int lastChecked = firstSeqAfterRestart + 30; // 3 s of pings after the restart and the ADD
            for (Pinger p : pings) p.awaitReply(lastChecked + 2, Duration.ofSeconds(60));
            sampling.set(false);
            sampler.join();
            for (Pinger p : pings) p.close();

            System.out.printf("restart test: agent back after %d ms of pings; %d samples of ruleset and routes%n", restartedAfterMs, samples[0]);
            assertThat(samples[0]).as("sampled during the restart").isGreaterThan(10);
            assertThat(missing).as("samples missing a rule or a route").isEmpty();
            for (Pinger p : pings) {
                Set<Integer> got = p.replies();
                List<Integer> lost = new ArrayList<>();
                for (int seq = 1; seq <= lastChecked; seq++) if (!got.contains(seq)) lost.add(seq);
                List<Integer> lostAfter = lost.stream().filter(seq -> seq >= firstSeqAfterRestart).toList();
                System.out.println("restart test: seq 1.." + lastChecked + " (restart before seq " + firstSeqAfterRestart + "): "
                        + lost.size() + " lost in all " + lost);
                assertThat(lostAfter).as("pings lost after the restart").isEmpty();
            }
            for (int i = 0; i < pods.size(); i++) assertThat(bed.podnet("DEL", "ctr-r" + i, pods.get(i), "eth0", conf.toString()).exit()).isZero();
            assertThat(bed.podnet("DEL", "ctr-other", third, "eth0", other.toString()).exit()).isZero();
        }
    }

    /** A {@code ping -i 0.1} in a pod whose replies are read as they come. */
    private static final class Pinger implements AutoCloseable {
        private final Process process;
        private final Set<Integer> replies = ConcurrentHashMap.newKeySet();
        private final BlockingQueue<Integer> arrivals = new LinkedBlockingQueue<>();
        private final Thread reader;

        private Pinger(Process process) {
            this.process = process;
            this.reader = Thread.ofPlatform().daemon().start(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        Matcher m = REPLY.matcher(line);
                        if (m.find()) {
                            int seq = Integer.parseInt(m.group(1));
                            replies.add(seq);
                            arrivals.add(seq);
                        }
                    }
                } catch (java.io.IOException e) {
                    // the process ended
                }
            });
        }

        static Pinger start(Netns pod, String to) throws java.io.IOException {
            return new Pinger(new ProcessBuilder("ip", "netns", "exec", pod.name(), "ping", "-i", "0.1", "-c", "3000", "-W", "1", to)
                    .redirectErrorStream(true).start());
        }

        /** Waits until the reply to {@code seq} (or a later one) has come; false at the deadline. */
        boolean awaitReply(int seq, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            if (replies.stream().anyMatch(s -> s >= seq)) return true;
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                Integer got = arrivals.poll(left, TimeUnit.NANOSECONDS);
                if (got != null && got >= seq) return true;
            }
            return false;
        }

        Set<Integer> replies() { return new TreeSet<>(replies); }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(10_000);
        }
    }
}
