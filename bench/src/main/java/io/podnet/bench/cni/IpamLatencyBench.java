package io.podnet.bench.cni;

import io.podnet.cni.CniRequestParser;
import io.podnet.cni.server.CniServer;
import io.podnet.ipam.IpamConfig;
import io.podnet.ipam.Owner;
import io.podnet.ipam.RangeSet;
import io.podnet.ipam.cni.IpamCniHandler;
import io.podnet.ipam.store.IpamStores;
import io.podnet.ipam.store.LocalIpamStore;
import io.podnet.cni.config.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * podnet IPAM allocate+release vs the reference host-local (its whole ADD + DEL exec'd as a runtime does),
 * with {@code occupied} addresses already reserved so that host-local's O(n) DEL scan shows.
 * Run from the repo root: {@code java -cp "bench/target/classes:bench/target/lib/*" io.podnet.bench.cni.IpamLatencyBench [n] [occupied]}.
 */
public final class IpamLatencyBench {
    private IpamLatencyBench() {}

    static final Path HOST_LOCAL = Path.of("/usr/lib/cni/host-local");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int occupied = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        Path tmp = Files.createTempDirectory("pnbench-ipam");
        try {
            System.out.printf("IPAM allocate+release, n=%d, %d addresses already reserved, %d CPUs%n", n, occupied,
                    Runtime.getRuntime().availableProcessors());
            List<Stats> rows = new ArrayList<>();
            rows.add(store(tmp.resolve("s1"), n, occupied, true));
            rows.add(store(tmp.resolve("s2"), n, occupied, false));
            rows.add(handler(tmp.resolve("h"), n, occupied));
            Stats hl = hostLocal(tmp.resolve("hl"), n, occupied);
            rows.add(hl);
            rows.add(viaShim(tmp, n, occupied));
            for (Stats s : rows) {
                System.out.printf("%s   x%.2f of host-local%n", s, s.medianMs() / hl.medianMs());
            }
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String conf(Path dataDir, String ipamType) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"bench\",\"type\":\"bridge\",\"ipam\":{\"type\":\"" + ipamType + "\","
                + "\"ranges\":[[{\"subnet\":\"10.55.0.0/16\"}]],\"dataDir\":\"" + dataDir + "\"}}";
    }

    static List<RangeSet> sets(Path dataDir) throws Exception {
        return IpamConfig.decode(Json.MAPPER.readTree(conf(dataDir, "x")).get("ipam"), "bench", Optional.empty()).rangeSets();
    }

    static Stats store(Path dataDir, int n, int occupied, boolean fsync) throws Exception {
        var sets = sets(dataDir);
        try (LocalIpamStore s = LocalIpamStore.open(dataDir.resolve("bench"), fsync)) {
            for (int i = 0; i < occupied; i++) s.allocate(new Owner("occ" + i, "eth0"), sets, List.of());
            long[] t = new long[n];
            for (int i = 0; i < n + 50; i++) {
                long t0 = System.nanoTime();
                Owner o = new Owner("c" + i, "eth0");
                s.allocate(o, sets, List.of());
                s.release(o);
                if (i >= 50) t[i - 50] = System.nanoTime() - t0; // first 50: JIT warm-up
            }
            return Stats.of("podnet store in-process, fsync=" + fsync, t);
        }
    }

    static Stats handler(Path dataDir, int n, int occupied) throws Exception {
        byte[] conf = conf(dataDir, "podnet-ipam").getBytes(StandardCharsets.UTF_8);
        try (IpamStores stores = new IpamStores()) {
            var h = new IpamCniHandler(stores);
            for (int i = 0; i < occupied; i++) h.handle(CniRequestParser.parse(Exec.cniEnv("ADD", "occ" + i), conf));
            long[] t = new long[n];
            for (int i = 0; i < n + 50; i++) {
                long t0 = System.nanoTime();
                h.handle(CniRequestParser.parse(Exec.cniEnv("ADD", "c" + i), conf));
                h.handle(CniRequestParser.parse(Exec.cniEnv("DEL", "c" + i), conf));
                if (i >= 50) t[i - 50] = System.nanoTime() - t0;
            }
            return Stats.of("podnet CNI handler in-process (parse+JSON), fsync", t);
        }
    }

    static Stats hostLocal(Path dataDir, int n, int occupied) throws Exception {
        String conf = conf(dataDir, "host-local");
        List<String> cmd = List.of(HOST_LOCAL.toString());
        for (int i = 0; i < occupied; i++) Exec.check(cmd, Exec.cniEnv("ADD", "occ" + i), conf);
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = Exec.check(cmd, Exec.cniEnv("ADD", "c" + i), conf).nanos() + Exec.check(cmd, Exec.cniEnv("DEL", "c" + i), conf).nanos();
        }
        return Stats.of("host-local exec ADD + exec DEL", t);
    }

    static Stats viaShim(Path tmp, int n, int occupied) throws Exception {
        Path dataDir = tmp.resolve("shim");
        String conf = conf(dataDir, "podnet-ipam");
        Path sock = tmp.resolve("cni.sock");
        List<String> cmd = List.of(Shims.compileC(tmp).toString(), "podnet-ipam");
        try (IpamStores stores = new IpamStores(); CniServer server = CniServer.start(sock, new IpamCniHandler(stores))) {
            for (int i = 0; i < occupied; i++) Exec.check(cmd, env("ADD", "occ" + i, sock), conf);
            long[] t = new long[n];
            for (int i = 0; i < n + 20; i++) {
                long d = Exec.check(cmd, env("ADD", "c" + i, sock), conf).nanos() + Exec.check(cmd, env("DEL", "c" + i, sock), conf).nanos();
                if (i >= 20) t[i - 20] = d;
            }
            return Stats.of("podnet via C shim exec ADD + exec DEL, fsync", t);
        }
    }

    static Map<String, String> env(String cmd, String cid, Path sock) {
        Map<String, String> e = new HashMap<>(Exec.cniEnv(cmd, cid));
        e.put("PODNET_AGENT_SOCKET", sock.toString());
        return e;
    }
}
