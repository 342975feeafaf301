package io.podnet.bench.rtnetlink;

import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Create and delete N veth pairs with one end in another namespace: podnet's rtnetlink versus the same work
 * through {@code ip -batch} (one iproute2 process, one netlink socket), in the same run, alternating rounds.
 * Usage: {@code VethBench [pairs=1000] [rounds=5]}. Prints medians and the ratio.
 */
public final class VethBench {
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
            runPodnet(a, b, Math.min(pairs, 100)); // warm-up: class loading and JIT
            for (int r = 0; r < rounds; r++) {
                podnet.add(runPodnet(a, b, pairs));
                ipBatch.add(runIpBatch(a, b, pairs, dir));
            }
            report(pairs, podnet, ipBatch);
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
