package io.podnet.bench.bgp;

import io.podnet.testkit.BirdPeer;
import io.podnet.testkit.Daemons;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Relay benchmark: an upstream BIRD with N static IPv4 routes announces them over eBGP to a relay, which
 * re-advertises them to a downstream BIRD. The relay is first BIRD itself (BIRD→BIRD→BIRD), then podnet
 * (BIRD→podnet→BIRD, podnet in its own JVM). Measured from the relay's upstream session reaching
 * Established until (a) the relay holds all N routes and (b) the downstream BIRD holds all N; plus the
 * relay's RSS at the end. Usage: {@code BgpRelayBench [N=500000] [podnet JVM flags...]}.
 */
public final class BgpRelayBench {
    private static final int UP = 1, MID = 2, DOWN = 3;

    record Result(String relay, double establishedToRelayS, double establishedToDownstreamS, long relayRssKb, long relayPeakKb) {}

    /**
     * The JVM flags of the standalone {@code podnet bgp} mode (bgp/README.md "Memory"): a small capped Serial
     * heap (the live data of 500k routes is ~16 MB), C1 only with a small code cache, small stacks, and
     * freed malloc memory returned to the OS. The bench uses exactly these unless flags are given.
     */
    static final List<String> PRODUCT_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx36m", "-Xmn4m",
            "-XX:+UseCompactObjectHeaders", "-XX:TieredStopAtLevel=1", "-Xss256k", "-XX:ReservedCodeCacheSize=16m",
            "-XX:MaxMetaspaceSize=48m", "-XX:TrimNativeHeapInterval=2000", "-XX:+ExitOnOutOfMemoryError");

    private BgpRelayBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        List<String> jvmFlags = args.length > 1 ? List.of(args).subList(1, args.length) : PRODUCT_FLAGS;
        System.out.printf("BGP relay benchmark: %,d IPv4 routes, upstream BIRD -> relay -> downstream BIRD (eBGP)%n", n);
        System.out.println("podnet JVM flags: " + String.join(" ", jvmFlags) + "; load average " + loadAverage());
        if ("podnet".equals(System.getenv("BGP_RELAY_ONLY"))) { // tuning runs: podnet alone, no ratios
            print(run(n, true, jvmFlags));
            return;
        }
        Result bird = run(n, false, jvmFlags);
        print(bird);
        Result podnet = run(n, true, jvmFlags);
        print(podnet);
        System.out.printf(Locale.ROOT, "ratio podnet/BIRD: time to relay %.2f, time to downstream %.2f, RSS %.2f, peak RSS %.2f%n",
                podnet.establishedToRelayS / bird.establishedToRelayS,
                podnet.establishedToDownstreamS / bird.establishedToDownstreamS,
                (double) podnet.relayRssKb / bird.relayRssKb, (double) podnet.relayPeakKb / bird.relayPeakKb);
        System.out.println("load average at the end " + loadAverage());
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void print(Result r) {
        System.out.printf(Locale.ROOT, "%-7s relay has all routes %.2f s, downstream has all %.2f s after Established; relay RSS %.1f MB (peak %.1f MB)%n",
                r.relay, r.establishedToRelayS, r.establishedToDownstreamS, r.relayRssKb / 1024.0, r.relayPeakKb / 1024.0);
    }

    static String staticConf(int n) {
        StringBuilder b = new StringBuilder(n * 40);
        b.append("protocol static statics { ipv4;\n");
        for (int i = 0; i < n; i++) {
            int v = (20 << 24) + (i << 8);
            b.append("  route ").append((v >>> 24) & 255).append('.').append((v >>> 16) & 255).append('.')
                    .append((v >>> 8) & 255).append(".0/24 blackhole;\n");
        }
        return b.append("}\n").toString();
    }

    static String ip(int node) { return "10.214.0." + node; }

    static String bgp(String name, int self, long as, int peer, long peerAs, String export) {
        return """
                protocol bgp %s {
                  local %s as %d; neighbor %s as %d; connect delay time 1; connect retry time 1;
                  ipv4 { import all; export %s; };
                }
                """.formatted(name, ip(self), as, ip(peer), peerAs, export);
    }

    static String header(int node) {
        return "log \"%LOG%\" { error, fatal, bug };\nrouter id " + ip(node) + ";\nprotocol device {}\n";
    }

    private static Result run(int n, boolean podnet, List<String> jvmFlags) throws Exception {
        List<Netns> nodes = new ArrayList<>();
        Netns sw = Netns.create("bsw");
        List<AutoCloseable> open = new ArrayList<>();
        try {
            Sh.ip(sw.name(), "link", "add", "br0", "type", "bridge");
            Sh.ip(sw.name(), "link", "set", "br0", "up");
            for (int i = 1; i <= 3; i++) {
                Netns ns = Netns.create("bn");
                nodes.add(ns);
                Sh.ip(ns.name(), "link", "add", "eth0", "type", "veth", "peer", "name", "p" + i, "netns", sw.name());
                Sh.ip(sw.name(), "link", "set", "p" + i, "master", "br0", "up");
                Sh.ip(ns.name(), "addr", "add", ip(i) + "/24", "dev", "eth0");
                Sh.ip(ns.name(), "link", "set", "eth0", "up");
            }
            BirdPeer down = BirdPeer.start(nodes.get(DOWN - 1).name(), header(DOWN) + bgp("relay", DOWN, 65003, MID, 65002, "none"));
            open.add(down);
            BirdPeer up = BirdPeer.start(nodes.get(UP - 1).name(), header(UP) + staticConf(n)
                    + bgp("relay", UP, 65001, MID, 65002, "all").replace("connect delay time 1;", "connect delay time 1; passive on;"));
            open.add(up);
            Daemons.awaitTrue("upstream static routes", java.time.Duration.ofMinutes(2), () -> up.routeCount() >= n);
            return podnet ? runPodnet(n, nodes.get(MID - 1).name(), down, jvmFlags, open) : runBird(n, nodes.get(MID - 1).name(), down, open);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
            nodes.forEach(Netns::close);
            sw.close();
        }
    }

    private static Result runBird(int n, String ns, BirdPeer down, List<AutoCloseable> open) {
        BirdPeer mid = BirdPeer.start(ns, header(MID) + bgp("upstream", MID, 65002, UP, 65001, "none") + bgp("downstream", MID, 65002, DOWN, 65003, "all"));
        open.add(mid);
        long t0 = pollUntil(() -> mid.established("upstream"), 2);
        CompletableFuture<Long> downDone = CompletableFuture.supplyAsync(() -> pollUntil(() -> down.routeCount() >= n, 50));
        long tRelay = pollUntil(() -> mid.routeCount() >= n, 50);
        long tDown = downDone.join();
        return new Result("BIRD", (tRelay - t0) / 1000.0, (tDown - t0) / 1000.0, mid.rssKb(), peakKb(mid.pid()));
    }

    private static Result runPodnet(int n, String ns, BirdPeer down, List<String> jvmFlags, List<AutoCloseable> open) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RelayNode.class.getName(), "65002", ip(MID), String.valueOf(n),
                ip(UP) + ":65001", ip(DOWN) + ":65003"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        open.add(() -> {
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        });
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Long> downDone = CompletableFuture.supplyAsync(() -> pollUntil(() -> down.routeCount() >= n, 50));
        long t0 = -1, tRelay = -1;
        String line;
        while ((tRelay < 0) && (line = out.readLine()) != null) {
            String[] f = line.split(" ");
            if (line.startsWith("EVENT established")) t0 = Long.parseLong(f[3]);
            if (line.startsWith("EVENT locrib")) tRelay = Long.parseLong(f[3]);
        }
        if (tRelay < 0) throw new IllegalStateException("podnet relay exited before it had all routes (see its output above)");
        long tDown = downDone.join();
        long rss = Daemons.rssKb(p.pid());
        long peak = peakKb(p.pid());
        if (jvmFlags.stream().anyMatch(f -> f.startsWith("-Dbench.diag="))) {
            while ((line = out.readLine()) != null && !line.equals("EVENT diagdone")) {
                // wait for RelayNode's jcmd diagnostics (after the RSS was read)
            }
        }
        // `ip netns exec` execs java, so p.pid() is the JVM itself
        return new Result("podnet", (tRelay - t0) / 1000.0, (tDown - t0) / 1000.0, rss, peak);
    }

    /** Peak resident set size (VmHWM) in kB, or -1. */
    static long peakKb(long pid) {
        try {
            for (String l : java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("\\D", ""));
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Polls every {@code everyMs} until true (at most 5 minutes); returns the wall-clock time it became true. */
    static long pollUntil(java.util.function.BooleanSupplier ok, long everyMs) {
        long end = System.currentTimeMillis() + 300_000;
        while (!ok.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new IllegalStateException("benchmark step did not finish in 5 minutes");
            try {
                Thread.sleep(everyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return System.currentTimeMillis();
    }

}
