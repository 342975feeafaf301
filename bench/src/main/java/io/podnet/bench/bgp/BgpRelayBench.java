package io.podnet.bench.bgp;

import io.podnet.testkit.BirdPeer;
import io.podnet.testkit.Daemons;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

/**
 * Relay benchmark: an upstream BIRD with N static IPv4 routes announces them over eBGP to a relay, which
 * re-advertises them over eBGP to a downstream BIRD. The relay is BIRD (BIRD→BIRD→BIRD) or podnet
 * (BIRD→podnet→BIRD, podnet in its own JVM with the standalone flags), alternately, in the same run.
 * <p>
 * Both relays are measured the same way, from outside, by the same two BIRDs: the downstream session is up
 * first; then the upstream BIRD's session (configured disabled) is enabled, and the clock starts when the
 * upstream BIRD reports it Established (polled every 20 ms with {@code birdc}) and stops when the downstream
 * BIRD reports all N routes ({@code birdc show route count} every 50 ms). Neither relay is polled or asked to
 * report anything. RSS is the relay process's VmRSS at that moment and its peak VmHWM, CPU the user + system
 * time it used between the two moments, read from /proc.
 * Usage: {@code BgpRelayBench [N=500000] [runs=3] [podnet JVM flags...]}: runs of each relay, alternating which
 * goes first in each pair (BIRD first, then podnet first, ...).
 */
public final class BgpRelayBench {
    private static final int UP = 1, MID = 2, DOWN = 3;

    record Result(String relay, double seconds, long rssKb, long peakKb, double cpuSeconds, String load) {}

    /**
     * The JVM flags of the standalone {@code podnet bgp} mode (bgp/README.md "Standalone mode"): a small capped
     * Serial heap, C1 only with a small code cache, small stacks, and freed malloc memory returned to the OS.
     * The bench uses exactly these unless flags are given.
     */
    static final List<String> PRODUCT_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx36m", "-Xmn4m",
            "-XX:+UseCompactObjectHeaders", "-XX:TieredStopAtLevel=1", "-Xss256k", "-XX:ReservedCodeCacheSize=16m",
            "-XX:MaxMetaspaceSize=48m", "-XX:TrimNativeHeapInterval=2000", "-XX:+ExitOnOutOfMemoryError");

    private BgpRelayBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int runs = args.length > 1 && args[1].matches("\\d+") ? Integer.parseInt(args[1]) : 3;
        int flagsFrom = args.length > 1 && args[1].matches("\\d+") ? 2 : 1;
        List<String> jvmFlags = args.length > flagsFrom ? List.of(args).subList(flagsFrom, args.length) : PRODUCT_FLAGS;
        System.out.printf("BGP relay benchmark: %,d IPv4 routes, upstream BIRD -> relay -> downstream BIRD (eBGP), %d runs each%n", n, runs);
        System.out.println("podnet JVM flags: " + String.join(" ", jvmFlags) + "; load average " + loadAverage());
        boolean onlyPodnet = "podnet".equals(System.getenv("BGP_RELAY_ONLY")); // tuning runs: podnet alone, no ratios
        List<Result> bird = new ArrayList<>(), podnet = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            boolean podnetFirst = i % 2 == 1;
            for (boolean p : onlyPodnet ? List.of(true) : podnetFirst ? List.of(true, false) : List.of(false, true)) {
                Result r = run(n, p, jvmFlags);
                (p ? podnet : bird).add(r);
                System.out.printf(Locale.ROOT, "run %d %-6s %.2f s upstream Established -> downstream has all; relay RSS %.1f MB (peak %.1f MB), relay CPU %.2f s in that time; load %s%n",
                        i + 1, r.relay(), r.seconds(), r.rssKb() / 1024.0, r.peakKb() / 1024.0, r.cpuSeconds(), r.load());
            }
        }
        summary("podnet", podnet);
        if (onlyPodnet) return;
        summary("BIRD", bird);
        System.out.printf(Locale.ROOT, "ratio podnet/BIRD of the medians: time %.2f, RSS %.2f, peak RSS %.2f%n",
                median(podnet, Result::seconds) / median(bird, Result::seconds),
                median(podnet, r -> r.rssKb()) / median(bird, r -> r.rssKb()),
                median(podnet, r -> r.peakKb()) / median(bird, r -> r.peakKb()));
        System.out.println("load average at the end " + loadAverage());
    }

    private static void summary(String who, List<Result> rs) {
        System.out.printf(Locale.ROOT, "%-6s median %.2f s (%.2f-%.2f), RSS median %.1f MB (%.1f-%.1f), peak median %.1f MB, CPU median %.2f s%n", who,
                median(rs, Result::seconds), min(rs, Result::seconds), max(rs, Result::seconds),
                median(rs, r -> r.rssKb()) / 1024, min(rs, r -> r.rssKb()) / 1024, max(rs, r -> r.rssKb()) / 1024,
                median(rs, r -> r.peakKb()) / 1024, median(rs, Result::cpuSeconds));
    }

    static double median(List<Result> rs, ToDoubleFunction<Result> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double min(List<Result> rs, ToDoubleFunction<Result> f) { return rs.stream().mapToDouble(f).min().orElse(0); }

    private static double max(List<Result> rs, ToDoubleFunction<Result> f) { return rs.stream().mapToDouble(f).max().orElse(0); }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
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

    static String bgp(String name, int self, long as, int peer, long peerAs, String export, String extra) {
        return """
                protocol bgp %s {
                  local %s as %d; neighbor %s as %d; connect delay time 1; connect retry time 1; %s
                  ipv4 { import all; export %s; };
                }
                """.formatted(name, ip(self), as, ip(peer), peerAs, extra, export);
    }

    static String header(int node) {
        return "log \"%LOG%\" { error, fatal, bug };\nrouter id " + ip(node) + ";\nprotocol device {}\n";
    }

    private static Result run(int n, boolean podnet, List<String> jvmFlags) throws Exception {
        List<Netns> nodes = new ArrayList<>();
        Netns sw = Netns.create("bsw");
        List<AutoCloseable> open = new ArrayList<>();
        String load = loadAverage().split(" ")[0];
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
            BirdPeer down = BirdPeer.start(nodes.get(DOWN - 1).name(), header(DOWN) + bgp("relay", DOWN, 65003, MID, 65002, "none", ""));
            open.add(down);
            // the upstream session starts disabled: it is enabled once the downstream session is up
            BirdPeer up = BirdPeer.start(nodes.get(UP - 1).name(), header(UP) + staticConf(n)
                    + bgp("relay", UP, 65001, MID, 65002, "all", "passive on; disabled;"));
            open.add(up);
            Daemons.awaitTrue("upstream static routes", java.time.Duration.ofMinutes(2), () -> up.routeCount() >= n);
            String ns = nodes.get(MID - 1).name();
            long pid = podnet ? startPodnet(ns, n, jvmFlags, open) : startBird(ns, open);
            pollUntil(() -> down.established("relay"), 50);
            up.birdc("enable", "relay");
            long t0 = pollUntil(() -> up.established("relay"), 20);
            double cpu0 = cpuSeconds(pid);
            boolean trace = System.getenv("BGP_RELAY_TRACE") != null; // the downstream count at every poll
            if (trace) System.out.println("trace t0 " + t0);
            long t1 = pollUntil(() -> {
                long c = down.routeCount();
                if (trace) System.out.printf("trace +%d ms downstream %d%n", System.currentTimeMillis() - t0, c);
                return c >= n;
            }, 50);
            double cpu = cpuSeconds(pid) - cpu0;
            long rss = Daemons.rssKb(pid);
            return new Result(podnet ? "podnet" : "BIRD", (t1 - t0) / 1000.0, rss, peakKb(pid), cpu, load);
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
            nodes.forEach(Netns::close);
            sw.close();
        }
    }

    private static long startBird(String ns, List<AutoCloseable> open) {
        BirdPeer mid = BirdPeer.start(ns, header(MID) + bgp("upstream", MID, 65002, UP, 65001, "none", "")
                + bgp("downstream", MID, 65002, DOWN, 65003, "all", ""));
        open.add(mid);
        return mid.pid();
    }

    /** The podnet relay in its own JVM in the relay namespace; returns its pid (`ip netns exec` execs java). */
    private static long startPodnet(String ns, int n, List<String> jvmFlags, List<AutoCloseable> open) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmFlags);
        if (System.getenv("BGP_RELAY_TRACE") != null) cmd.add("-Dbench.expected=" + n); // it prints when its Loc-RIB is full
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RelayNode.class.getName(), "65002", ip(MID),
                ip(UP) + ":65001", ip(DOWN) + ":65003"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(System.getenv("BGP_RELAY_TRACE") != null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD).start();
        open.add(() -> {
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        });
        return p.pid();
    }

    /** User + system CPU seconds the process used so far (/proc/PID/stat utime, stime), or -1. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14 and 15, clock ticks (USER_HZ 100)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Peak resident set size (VmHWM) in kB, or -1. */
    static long peakKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("\\D", ""));
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Polls every {@code everyMs} until true (at most 5 minutes); returns the wall-clock time it became true. */
    static long pollUntil(BooleanSupplier ok, long everyMs) {
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
