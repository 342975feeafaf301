package io.podnet.bench.bgp;

import io.podnet.bgp.rib.BestPathChange;
import io.podnet.bgp.speaker.MemoryGuard;
import io.podnet.bgp.speaker.PeerConfig;
import io.podnet.bgp.speaker.Speaker;
import io.podnet.bgp.speaker.SpeakerConfig;
import io.podnet.bgp.speaker.SpeakerContext;
import io.podnet.bgp.speaker.TcpTransport;
import io.podnet.net.IpAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The podnet side of the relay benchmark, run as its own JVM inside the relay namespace
 * ({@code ip netns exec <ns> java ... RelayNode ASN ADDR PEER:AS...}): a plain speaker with the standalone
 * mode's memory guard. It reports nothing (the benchmark measures it from outside, as it measures BIRD);
 * exits when stdin closes.
 */
public final class RelayNode {
    private RelayNode() {}

    /**
     * With -Dbench.diag=CMD[,CMD...] (jcmd commands, e.g. {@code GC.class_histogram,VM.native_memory}): their
     * output on stderr (prefixed DIAG) shortly after the table is complete, then again 5 s later.
     */
    static void diagnostics(String commands) {
        System.err.println("DIAG table complete");
        try {
            for (int round = 0; round < 2; round++) {
                Thread.sleep(round == 0 ? 300 : 5000);
                System.err.println("DIAG round " + round + " VmRSS " + rssKb() + " kB");
                for (String c : commands.split(",")) {
                    if (c.strip().equals("smaps")) smaps();
                    else jcmd(c.strip());
                }
            }
        } catch (Exception e) {
            System.err.println("DIAG failed: " + e);
        }
    }

    private static void jcmd(String command) throws java.io.IOException, InterruptedException {
        String jcmd = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        List<String> cmd = new ArrayList<>(List.of(jcmd, String.valueOf(ProcessHandle.current().pid())));
        cmd.addAll(List.of(command.split(" ")));
        java.nio.file.Path tmp = java.nio.file.Files.createTempFile("relay-jcmd", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.toFile()).start();
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
            print(command, java.nio.file.Files.readString(tmp).split("\\n"));
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }

    private static void print(String command, String[] lines) {
        int limit = command.startsWith("GC.class_histogram") ? 25 : lines.length;
        for (int i = 0; i < Math.min(limit, lines.length); i++) System.err.println("DIAG " + lines[i]);
        if (limit < lines.length) System.err.println("DIAG " + lines[lines.length - 1]);
    }

    /** Resident kB per mapping (file name, or [anon]/[heap]/[stack]) from /proc/self/smaps, largest first. */
    private static void smaps() throws java.io.IOException {
        java.util.Map<String, Long> rss = new java.util.TreeMap<>();
        String name = "?";
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps"))) {
            String[] f = l.trim().split("\\s+");
            if (f.length >= 5 && f[0].matches("[0-9a-f]+-[0-9a-f]+")) name = f.length >= 6 ? f[5] : "[anon]";
            else if (f[0].equals("Rss:")) rss.merge(name, Long.parseLong(f[1]), Long::sum);
        }
        rss.entrySet().stream().sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(e -> System.err.println("DIAG smaps " + e.getValue() + " kB " + e.getKey()));
    }

    static long rssKb() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }

    public static void main(String[] args) throws Exception {
        long asn = Long.parseLong(args[0]);
        IpAddress self = IpAddress.parse(args[1]);
        SpeakerConfig cfg = SpeakerConfig.of(asn, self).withListen(new InetSocketAddress(self.toInetAddress(), 179))
                .withConnectRetry(Duration.ofSeconds(1));
        // the standalone mode's memory guard, as `podnet bgp` runs it
        Speaker s = new Speaker(cfg, SpeakerContext.system(new TcpTransport()).withMemoryGuard(MemoryGuard.heap(0.85)));
        for (int i = 2; i < args.length; i++) {
            String[] p = args[i].split(":");
            s.addPeer(PeerConfig.of(IpAddress.parse(p[0]), Long.parseLong(p[1])).withLocalAddress(self));
        }
        String diag = System.getProperty("bench.diag");
        int expected = Integer.getInteger("bench.expected", Integer.MAX_VALUE);
        if (expected < Integer.MAX_VALUE) { // trace runs: when the Loc-RIB holds bench.expected routes, and diagnostics
            AtomicInteger size = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();
            s.addListener(changes -> {
                int n = size.addAndGet((int) changes.stream().filter(c -> c.previous().isEmpty() && !c.isWithdrawal()).count()
                        - (int) changes.stream().filter(BestPathChange::isWithdrawal).count());
                if (n >= expected && reported.compareAndSet(false, true)) {
                    System.out.println("EVENT locrib " + n + " " + System.currentTimeMillis());
                    System.out.flush();
                    if (diag != null) Thread.ofPlatform().daemon().start(() -> diagnostics(diag));
                }
            });
        }
        s.start();
        while (System.in.read() >= 0) {
            // run until the driver closes our stdin
        }
        s.close();
        System.exit(0);
    }
}
