package io.podnet.bench.cniadd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * podnet (C shim → agent JVM) vs reference bridge + host-local: p50/p95 of ADD and DEL over N sequential pods,
 * wall time of P parallel ADDs, and the agent-side time of each request (parsed from the agent's DEBUG log line
 * "... took N us" written by CniDispatcher). Run inside a throwaway network namespace (bench/cni-add.sh does).
 * Args: [pods=100] [parallel=32] [rounds=2]. System properties: podnet.cli.cp (agent class path),
 * podnet.cshim.src (default cni/src/main/c/podnet-cni.c), podnet.bench.log (copy the agent's timing log there),
 * podnet.bench.warmup (ADD/DEL pairs before measuring, default 50), podnet.bench.agentOpts (extra agent JVM flags),
 * podnet.bench.threads (print the agent's CPU time per thread at the end), podnet.bench.fsync (ipam "fsync"),
 * podnet.bench.phases (also log and report each ADD's phases: BridgeCniHandler at DEBUG, whose line costs the
 * measured request ~0.5 ms to format and write on a 2-vCPU machine, so it is off unless asked for).
 */
public final class CniAddBench {
    private static final Pattern PHASES = Pattern.compile("phases: ipam (\\d+) us, attach (\\d+) us");
    private static final Pattern TOOK = Pattern.compile("command=(ADD|DEL).* took (\\d+) us|\\b(ADD|DEL)\\b.* took (\\d+) us");

    /**
     * ADD/DEL pairs before each measurement, for both implementations: {@code -Dpodnet.bench.warmup=N}, default 50.
     * The agent is a long-running daemon; for its first few hundred requests the C2 compiler works in the
     * background on the same CPUs (2.5 s of CPU over a run), which is start-up cost, not the steady state a node
     * sees. With 5 the sequential agent-side ADD p50 was 4.1-5.2 ms over 7 runs, with 50 4.1-4.3 ms over 3.
     */
    static final int WARMUP = Integer.getInteger("podnet.bench.warmup", 50);

    private CniAddBench() {}

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int parallel = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String prefix = "pnb" + Long.toHexString(ProcessHandle.current().pid() & 0xfff);
        Path dir = Files.createTempDirectory(prefix + "-cniadd");
        List<String> netns = new ArrayList<>();
        try (AgentProcess agent = AgentProcess.start(dir, System.getProperty("podnet.cli.cp"))) {
            CpuTime cpu = CpuTime.of(agent.process().pid());
            for (int i = 0; i < Math.max(pods, parallel); i++) {
                String n = prefix + "p" + i;
                sh("ip", "netns", "add", n);
                netns.add(n);
            }
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path shim = bin.resolve("podnet");
            sh("gcc", "-O2", "-o", shim.toString(), System.getProperty("podnet.cshim.src", "cni/src/main/c/podnet-cni.c"));
            Plugin podnet = new Plugin("podnet", shim, bin.toString(), conf("podnet", "podnet-ipam", prefix + "b0", "10.90.0.0/16", dir.resolve("ipam-podnet")),
                    Map.of("PODNET_AGENT_SOCKET", agent.socket().toString()));
            Plugin ref = new Plugin("reference", Path.of("/usr/lib/cni/bridge"), "/usr/lib/cni",
                    conf("bridge", "host-local", prefix + "b1", "10.91.0.0/16", dir.resolve("ipam-ref")), Map.of());
            Map<String, Result> results = new java.util.LinkedHashMap<>();
            StringBuilder phases = new StringBuilder();
            for (int r = 0; r < rounds; r++) {
                for (Plugin p : r % 2 == 0 ? List.of(podnet, ref) : List.of(ref, podnet)) {
                    long mark = agent.logSize();
                    Result res = measure(p, netns, pods, parallel, cpu);
                    if (p == podnet) {
                        res = res.withAgent(agent.agentTimes(mark));
                        phases.append(agent.since(mark));
                    }
                    results.merge(p.name(), res, Result::plus);
                }
            }
            report(results.get("podnet"), results.get("reference"), pods, parallel, rounds);
            reportPhases(phases.toString());
            if (Boolean.getBoolean("podnet.bench.threads")) reportThreads(agent.process().pid(), cpu);
            String keep = System.getProperty("podnet.bench.log");
            if (keep != null) Files.copy(agent.log(), Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            for (String n : netns) sh("ip", "netns", "del", n);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Where the agent's ADD time goes: IPAM (reservation incl. fsync) vs attach (veth, addresses, routes). */
    static void reportPhases(String log) {
        List<Long> ipam = new ArrayList<>();
        List<Long> attach = new ArrayList<>();
        for (String line : log.split("\n")) {
            Matcher m = PHASES.matcher(line);
            if (!m.find()) continue;
            ipam.add(Long.parseLong(m.group(1)) * 1000);
            attach.add(Long.parseLong(m.group(2)) * 1000);
        }
        long[] i = ipam.stream().mapToLong(Long::longValue).toArray();
        long[] a = attach.stream().mapToLong(Long::longValue).toArray();
        if (i.length > 0) System.out.printf("agent ADD phases (n=%d): ipam min %.3f p50 %.3f p95 %.3f ms; attach min %.3f p50 %.3f p95 %.3f ms%n",
                i.length, pct(i, 0), pct(i, .5), pct(i, .95), pct(a, 0), pct(a, .5), pct(a, .95));
        System.out.printf("load average while measuring: %s%n", loadAverage());
    }

    /** The agent's threads by CPU time (where the agent's CPU per ADD goes: JIT, GC, request threads, syncers). */
    static void reportThreads(long pid, CpuTime cpu) throws IOException {
        Map<String, Long> byName = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat = Files.readString(t.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+$", "N");
                long[] f = CpuTime.fields(stat);
                byName.merge(name, (f[0] + f[1]) * cpu.tickNanos(), Long::sum);
            }
        } catch (IOException e) {
            return; // a thread ended while listing
        }
        System.out.print("agent CPU by thread (ms):");
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(e -> System.out.printf(" %s=%d", e.getKey(), e.getValue() / 1_000_000));
        System.out.println();
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip() + " (" + Runtime.getRuntime().availableProcessors() + " CPUs)";
        } catch (IOException e) {
            return "?";
        }
    }

    static String conf(String type, String ipamType, String bridge, String subnet, Path dataDir) {
        return """
                {"cniVersion":"1.0.0","name":"bench","type":"%s","bridge":"%s","isGateway":true,"ipMasq":false,
                 "ipam":{"type":"%s","ranges":[[{"subnet":"%s"}]],"dataDir":"%s"%s}}""".formatted(type, bridge, ipamType, subnet, dataDir,
                type.equals("podnet") && System.getProperty("podnet.bench.fsync") != null ? ",\"fsync\":" + System.getProperty("podnet.bench.fsync") : "");
    }

    /** Measured samples of one implementation (ns), possibly merged over rounds. */
    /**
     * Measured samples of one implementation (ns), possibly merged over rounds; {@code cpu} = summed CPU time
     * (ns) of the sequential phases: ADD plugins, ADD agent, DEL plugins, DEL agent, and the op count.
     */
    record Result(long[] add, long[] del, long[] parallelWall, long[] agentAdd, long[] agentDel, long[] cpu, long[] agentSeqAdd,
                  long[] parallelDelWall) {
        Result withAgent(long[][] a) { return new Result(add, del, parallelWall, a[0], a[1], cpu, a[2], parallelDelWall); }

        Result plus(Result o) {
            long[] c = new long[cpu.length];
            for (int i = 0; i < c.length; i++) c[i] = cpu[i] + o.cpu[i];
            return new Result(cat(add, o.add), cat(del, o.del), cat(parallelWall, o.parallelWall), cat(agentAdd, o.agentAdd),
                    cat(agentDel, o.agentDel), c, cat(agentSeqAdd, o.agentSeqAdd), cat(parallelDelWall, o.parallelDelWall));
        }

        /** Mean CPU ms per sequential operation: [ADD plugins, ADD agent, DEL plugins, DEL agent]. */
        double[] cpuPerOp() {
            double n = Math.max(1, cpu[4]);
            return new double[] {cpu[0] / n / 1e6, cpu[1] / n / 1e6, cpu[2] / n / 1e6, cpu[3] / n / 1e6};
        }

        static long[] cat(long[] a, long[] b) {
            long[] r = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, r, a.length, b.length);
            return r;
        }
    }

    static Result measure(Plugin p, List<String> netns, int pods, int parallel, CpuTime cpu) throws Exception {
        for (int i = 0; i < WARMUP; i++) { // warm-up (the agent's JIT; the reference has none)
            String ns = "/run/netns/" + netns.get(i % netns.size());
            check(p.exec("ADD", "warm" + i, ns), p, "ADD");
            check(p.exec("DEL", "warm" + i, ns), p, "DEL");
        }
        long[] add = new long[pods];
        long[] del = new long[pods];
        long[] c = new long[5];
        long pl = cpu.plugins();
        long ag = cpu.agent();
        for (int i = 0; i < pods; i++) add[i] = check(p.exec("ADD", "seq" + i, "/run/netns/" + netns.get(i)), p, "ADD").nanos();
        c[0] = cpu.plugins() - pl;
        c[1] = cpu.agent() - ag;
        pl = cpu.plugins();
        ag = cpu.agent();
        for (int i = 0; i < pods; i++) del[i] = check(p.exec("DEL", "seq" + i, "/run/netns/" + netns.get(i)), p, "DEL").nanos();
        c[2] = cpu.plugins() - pl;
        c[3] = cpu.agent() - ag;
        c[4] = pods;
        long wall = burst(p, "ADD", parallel, netns);
        long delWall = burst(p, "DEL", parallel, netns); // a node drain: every DEL at once
        return new Result(add, del, new long[] {wall}, new long[0], new long[0], c, new long[0], new long[] {delWall});
    }

    /** {@code command} for pods par0..par(n-1) from n threads at once; wall time (ns) until the last answered. */
    static long burst(Plugin p, String command, int n, List<String> netns) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<Plugin.Outcome>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int k = i;
                fs.add(pool.submit(() -> p.exec(command, "par" + k, "/run/netns/" + netns.get(k))));
            }
            for (Future<Plugin.Outcome> f : fs) check(f.get(), p, "parallel " + command);
            return System.nanoTime() - t0;
        }
    }

    static Plugin.Outcome check(Plugin.Outcome o, Plugin p, String what) {
        if (o.exit() != 0) throw new IllegalStateException(p.name() + " " + what + " failed: " + o.out());
        return o;
    }

    static double pct(long[] ns, double q) {
        if (ns.length == 0) return Double.NaN;
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))] / 1e6;
    }

    static void report(Result pn, Result ref, int pods, int parallel, int rounds) {
        System.out.printf("CNI ADD/DEL benchmark: %d sequential pods x %d rounds, %d parallel ADDs x %d rounds, cniVersion 1.0.0, %d warm-up pairs%n",
                pods, rounds, parallel, rounds, WARMUP);
        System.out.printf("%-34s %12s %12s %8s%n", "", "podnet", "reference", "ratio");
        line("ADD p50 (ms)", pct(pn.add, .5), pct(ref.add, .5));
        line("ADD p95 (ms)", pct(pn.add, .95), pct(ref.add, .95));
        line("DEL p50 (ms)", pct(pn.del, .5), pct(ref.del, .5));
        line("DEL p95 (ms)", pct(pn.del, .95), pct(ref.del, .95));
        line(parallel + " parallel ADDs wall, median (ms)", pct(pn.parallelWall, .5), pct(ref.parallelWall, .5));
        line(parallel + " parallel DELs wall, median (ms)", pct(pn.parallelDelWall, .5), pct(ref.parallelDelWall, .5));
        System.out.printf("agent-side ADD min %.3f p50 %.3f p95 %.3f ms (n=%d); DEL min %.3f p50 %.3f p95 %.3f ms (n=%d)%n",
                pct(pn.agentAdd, 0), pct(pn.agentAdd, .5), pct(pn.agentAdd, .95), pn.agentAdd.length,
                pct(pn.agentDel, 0), pct(pn.agentDel, .5), pct(pn.agentDel, .95), pn.agentDel.length);
        System.out.printf("agent-side ADD, sequential phase only: min %.3f p50 %.3f p95 %.3f ms (n=%d)%n",
                pct(pn.agentSeqAdd, 0), pct(pn.agentSeqAdd, .5), pct(pn.agentSeqAdd, .95), pn.agentSeqAdd.length);
        double[] pc = pn.cpuPerOp();
        double[] rc = ref.cpuPerOp();
        System.out.printf("CPU per sequential ADD (ms): podnet %.2f (shim %.2f + agent %.2f), reference %.2f (ratio %.2f); per DEL: podnet %.2f (shim %.2f + agent %.2f), reference %.2f (ratio %.2f)%n",
                pc[0] + pc[1], pc[0], pc[1], rc[0], (pc[0] + pc[1]) / rc[0], pc[2] + pc[3], pc[2], pc[3], rc[2], (pc[2] + pc[3]) / rc[2]);
        System.out.printf("targets: ADD p50 <= ref: %s; DEL p50 <= ref/2: %s; parallel wall <= ref/2: %s; agent ADD p50 <= 5 ms: %s%n",
                pct(pn.add, .5) <= pct(ref.add, .5), pct(pn.del, .5) <= pct(ref.del, .5) / 2,
                pct(pn.parallelWall, .5) <= pct(ref.parallelWall, .5) / 2, pct(pn.agentSeqAdd, .5) <= 5);
        System.out.printf("(agent ADD p50 is over the sequential ADDs, the same operations as the ADD p50 row; over every ADD,"
                + " with the warm-up and the %d-parallel burst queued on the CPUs, it is %.3f ms)%n", parallel, pct(pn.agentAdd, .5));
    }

    static void line(String what, double a, double b) {
        System.out.printf("%-34s %12.2f %12.2f %8.2f%n", what, a, b, a / b);
    }

    static void sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
    }

    /** Parses the agent's per-request timing lines written after {@code mark}. */
    static long[][] parseTimes(String log) {
        List<Long> add = new ArrayList<>();
        List<Long> del = new ArrayList<>();
        List<Long> seqAdd = new ArrayList<>();
        for (String line : log.split("\n")) {
            Matcher m = TOOK.matcher(line);
            if (!m.find()) continue;
            String cmd = m.group(1) != null ? m.group(1) : m.group(3);
            long us = Long.parseLong(m.group(2) != null ? m.group(2) : m.group(4));
            (cmd.equals("ADD") ? add : del).add(us * 1000);
            if (cmd.equals("ADD") && line.contains("cid=seq")) seqAdd.add(us * 1000);
        }
        return new long[][] {add.stream().mapToLong(Long::longValue).toArray(), del.stream().mapToLong(Long::longValue).toArray(),
            seqAdd.stream().mapToLong(Long::longValue).toArray()};
    }
}
