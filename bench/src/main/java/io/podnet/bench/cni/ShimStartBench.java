package io.podnet.bench.cni;

import io.podnet.cni.result.CniResult;
import io.podnet.cni.result.IpConfig;
import io.podnet.cni.server.CniResponse;
import io.podnet.cni.server.CniServer;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shim start-up: wall time from exec to exit for VERSION (answered locally) and for ADD through an in-process
 * agent with a trivial handler, for the C forwarder and the Java main with several JVM set-ups.
 * Run from the repo root: {@code java -cp "bench/target/classes:bench/target/lib/*" io.podnet.bench.cni.ShimStartBench [n]}.
 */
public final class ShimStartBench {
    private ShimStartBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path tmp = Files.createTempDirectory("pnbench-shim");
        Path sock = tmp.resolve("cni.sock");
        CniResult fixed = new CniResult(List.of(), List.of(IpConfig.of(Cidr.parse("10.9.0.2/24"), Optional.of(IpAddress.parse("10.9.0.1")))),
                List.of(), Optional.empty());
        try (CniServer server = CniServer.start(sock, req -> CniResponse.result(fixed, req.conf().version()))) {
            Map<String, List<String>> shims = shims(tmp, sock);
            CpuRun cpu = CpuRun.build(tmp);
            System.out.printf("shim start-up, n=%d per row, %s, %d CPUs%n", n, System.getProperty("java.vm.version"),
                    Runtime.getRuntime().availableProcessors());
            System.out.println("wall = exec to exit; cpu = user+sys of the shim process (all threads), load-independent");
            measure(cpu, "/bin/true (exec baseline)", List.of("/bin/true"), "VERSION", sock, n);
            for (var e : shims.entrySet()) {
                measure(cpu, e.getKey() + " VERSION", e.getValue(), "VERSION", sock, n);
                measure(cpu, e.getKey() + " ADD via agent", e.getValue(), "ADD", sock, n);
            }
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Map<String, List<String>> shims(Path tmp, Path sock) throws Exception {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("C forwarder", List.of(Shims.compileC(tmp).toString()));
        m.put("java (default flags)", Shims.javaShim(List.of()));
        m.put("java -Xshare:off", Shims.javaShim(List.of("-Xshare:off")));
        m.put("java -XX:TieredStopAtLevel=1 -XX:-UsePerfData", Shims.javaShim(Shims.TUNED));
        m.put("java -Xint -XX:-UsePerfData", Shims.javaShim(List.of("-Xint", "-XX:-UsePerfData")));
        m.put("java lean (C1 only, SerialGC, 1 compiler thread)", Shims.javaShim(Shims.LEAN));
        Path jsa = tmp.resolve("shim.jsa"); // AppCDS dynamic archive (JDK 13+), the pre-AOT way
        Exec.check(Shims.javaShim(List.of("-XX:ArchiveClassesAtExit=" + jsa)), env("ADD", sock), conf());
        if (Files.exists(jsa)) {
            m.put("java AppCDS dynamic archive + TieredStopAtLevel=1 -UsePerfData",
                    Shims.javaShim(List.of("-XX:SharedArchiveFile=" + jsa, "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData")));
        }
        Path aot = tmp.resolve("shim.aot");
        List<String> train = Shims.javaShim(List.of("-XX:AOTCacheOutput=" + aot));
        Exec.check(train, env("ADD", sock), conf());
        if (Files.exists(aot)) {
            m.put("java AOT cache", Shims.javaShim(List.of("-XX:AOTCache=" + aot)));
            List<String> tuned = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:-UsePerfData")); // AOTCache excludes -Xshare
            tuned.add("-XX:AOTCache=" + aot);
            m.put("java AOT cache + TieredStopAtLevel=1 -UsePerfData", Shims.javaShim(tuned));
            Path leanAot = tmp.resolve("shim-lean.aot"); // a cache is only valid with the GC it was trained with
            List<String> leanTrain = new ArrayList<>(Shims.LEAN);
            leanTrain.add("-XX:AOTCacheOutput=" + leanAot);
            Exec.check(Shims.javaShim(leanTrain), env("ADD", sock), conf());
            List<String> lean = new ArrayList<>(Shims.LEAN);
            lean.add("-XX:AOTCache=" + leanAot);
            m.put("java AOT cache + lean", Shims.javaShim(lean));
        } else {
            System.out.println("AOT cache was not created; skipping AOT rows");
        }
        return m;
    }

    static String conf() {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"bench\",\"type\":\"podnet\"}";
    }

    static Map<String, String> env(String cmd, Path sock) {
        Map<String, String> e = new HashMap<>(Exec.cniEnv(cmd, "bench1"));
        e.put("PODNET_AGENT_SOCKET", sock.toString());
        return e;
    }

    static void measure(CpuRun cpu, String name, List<String> cmd, String command, Path sock, int n) throws Exception {
        for (int i = 0; i < 3; i++) Exec.run(cmd, env(command, sock), conf()); // warm the page cache
        long[] wall = new long[n];
        long[] used = new long[n];
        for (int i = 0; i < n; i++) {
            Exec.Result r = Exec.run(cpu.wrap(cmd), env(command, sock), conf());
            if (r.exit() != 0) throw new IllegalStateException(name + " failed: " + r.stdout());
            long[] m = cpu.last();
            wall[i] = m[0] * 1000;
            used[i] = m[1] * 1000;
        }
        Stats w = Stats.of(name, wall);
        Stats c = Stats.of(name, used);
        System.out.printf("%-58s wall median %8.2f ms p95 %8.2f | cpu median %8.2f ms p95 %8.2f%n", name, w.medianMs(), w.p95Ms(),
                c.medianMs(), c.p95Ms());
    }
}
