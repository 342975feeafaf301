package io.podnet.bench.rtnetlink;

import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.LinkReaper;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Create and delete N veth pairs with one end in another namespace: podnet's rtnetlink versus the same work
 * through {@code ip -batch} (one iproute2 process, one netlink socket), in the same run, alternating rounds.
 * Each round also deletes the pairs through a {@link LinkReaper} from {@value #CALLERS} threads at once (a node
 * drain): the time until every delete has returned (each link unregistered) and until the kernel has freed them
 * all. Usage: {@code VethBench [pairs=1000] [rounds=5]}. Prints medians and the ratio.
 */
public final class VethBench {
    static final int CALLERS = 16;

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String prefix = "pnb" + HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt());
        NetNs a = NetNs.create(prefix + "-a");
        NetNs b = NetNs.create(prefix + "-b");
        Path dir = Files.createTempDirectory(prefix);
        try {
            List<long[]> podnet = new ArrayList<>();
            List<long[]> ipBatch = new ArrayList<>();
            List<long[]> reaped = new ArrayList<>();
            runPodnet(a, b, Math.min(pairs, 100)); // warm-up: class loading and JIT
            runReaper(a, b, Math.min(pairs, 100));
            for (int r = 0; r < rounds; r++) {
                podnet.add(runPodnet(a, b, pairs));
                ipBatch.add(runIpBatch(a, b, pairs, dir));
                reaped.add(runReaper(a, b, pairs));
            }
            report(pairs, podnet, ipBatch);
            System.out.printf("delete through a LinkReaper, %d callers and %d reaper threads: every delete returned after %.1f ms,"
                    + " the kernel had freed them all after %.1f ms (median)%n", CALLERS, CALLERS, medianMs(reaped, 0), medianMs(reaped, 1));
        } finally {
            a.deleteIfPresent();
            b.deleteIfPresent();
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    static long[] runPodnet(NetNs a, NetNs b, int pairs) throws IOException {
        try (var h = Rtnetlink.open(a)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < pairs; i++) h.links().add(LinkAttrs.named("bv" + i), LinkKind.Veth.peerIn("bp" + i, b));
            long t1 = System.nanoTime();
            for (int i = 0; i < pairs; i++) h.links().delete("bv" + i);
            long t2 = System.nanoTime();
            return new long[] {t1 - t0, t2 - t1};
        }
    }

    /** Creates the pairs, then deletes them from CALLERS threads through a reaper: {returned, freed} in ns. */
    static long[] runReaper(NetNs a, NetNs b, int pairs) throws Exception {
        try (var h = Rtnetlink.open(a)) {
            for (int i = 0; i < pairs; i++) h.links().add(LinkAttrs.named("bv" + i), LinkKind.Veth.peerIn("bp" + i, b));
        }
        LinkReaper reaper = LinkReaper.open(a, CALLERS);
        long t0 = System.nanoTime();
        long returned;
        try (ExecutorService callers = Executors.newFixedThreadPool(CALLERS)) {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                String name = "bv" + i;
                done.add(callers.submit(() -> reaper.delete(name)));
            }
            for (Future<Boolean> f : done) {
                if (!f.get()) throw new IllegalStateException("a pair was already gone");
            }
            returned = System.nanoTime() - t0;
        } finally {
            reaper.close(); // waits for the kernel's teardowns in flight
        }
        return new long[] {returned, System.nanoTime() - t0};
    }

    static long[] runIpBatch(NetNs a, NetNs b, int pairs, Path dir) throws IOException, InterruptedException {
        StringBuilder add = new StringBuilder();
        StringBuilder del = new StringBuilder();
        String peerNs = b.name().orElseThrow();
        for (int i = 0; i < pairs; i++) {
            add.append("link add bv").append(i).append(" type veth peer name bp").append(i).append(" netns ").append(peerNs).append('\n');
            del.append("link del bv").append(i).append('\n');
        }
        Path addFile = Files.writeString(dir.resolve("add.batch"), add);
        Path delFile = Files.writeString(dir.resolve("del.batch"), del);
        String ns = a.name().orElseThrow();
        long t0 = System.nanoTime();
        exec("ip", "-n", ns, "-batch", addFile.toString());
        long t1 = System.nanoTime();
        exec("ip", "-n", ns, "-batch", delFile.toString());
        long t2 = System.nanoTime();
        return new long[] {t1 - t0, t2 - t1};
    }

    static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    static double medianMs(List<long[]> runs, int phase) {
        double[] v = runs.stream().mapToDouble(r -> r[phase] / 1e6).sorted().toArray();
        return v[v.length / 2];
    }

    static void report(int pairs, List<long[]> podnet, List<long[]> ip) {
        System.out.printf("veth pairs (peer in another netns): %d, rounds: %d, median wall time%n", pairs, podnet.size());
        System.out.printf("%-10s %12s %12s %12s%n", "phase", "podnet ms", "ip -batch ms", "ratio");
        String[] phases = {"create", "delete"};
        double totP = 0, totI = 0;
        for (int ph = 0; ph < 2; ph++) {
            double p = medianMs(podnet, ph), i = medianMs(ip, ph);
            totP += p;
            totI += i;
            System.out.printf("%-10s %12.1f %12.1f %11.2fx%n", phases[ph], p, i, p / i);
        }
        System.out.printf("%-10s %12.1f %12.1f %11.2fx  (podnet/ip; < 1 means podnet is faster)%n", "total", totP, totI, totP / totI);
        System.out.println("all podnet runs (create,delete ms): " + Arrays.toString(podnet.stream().map(r -> (r[0] / 1_000_000) + "," + (r[1] / 1_000_000)).toArray()));
        System.out.println("all ip runs     (create,delete ms): " + Arrays.toString(ip.stream().map(r -> (r[0] / 1_000_000) + "," + (r[1] / 1_000_000)).toArray()));
    }
}
