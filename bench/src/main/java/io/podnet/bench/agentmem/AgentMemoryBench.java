package io.podnet.bench.agentmem;

import io.podnet.bench.cniadd.Plugin;
import io.podnet.testkit.EtcdServer;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The agent's memory in one mode: starts it as {@code bin/podnet agent} does, waits until ready, adds N pods
 * through the real CNI plugin (the C shim), idles, samples; runs M ADD/DEL pairs, idles, samples again (the
 * growth check). Runs inside the throwaway network namespace bench/agent-memory.sh made for this mode, with a
 * private etcd on that namespace's loopback for the modes that need one.
 *
 * <pre>
 *   bin/podnet agent ──ready──► sample "ready" ──50 ADDs──► idle ──► sample "N pods"
 *                                               ──M × (ADD, DEL)──► idle ──► sample "after M pairs"
 * </pre>
 *
 * Args: {@code MODE [pods=50] [pairs=1000] [idleSeconds=60] [resultsFile]}, or {@code summary FILE} to print the
 * table of every mode's row. System properties: {@code podnet.home} (repo root, default the working directory),
 * {@code podnet.bench.agentOpts} (extra agent JVM flags, appended to what the launcher sets, as
 * {@code PODNET_JAVA_OPTS} would be), {@code podnet.bench.agentArgs} (extra {@code podnet agent} flags, e.g.
 * {@code --etcd-client grpc}), {@code podnet.bench.nmt} (default true: {@code -XX:NativeMemoryTracking=summary}),
 * {@code podnet.bench.classes} (log class loading and print classes per library).
 */
public final class AgentMemoryBench {
    private static final int CHURN_NAMESPACES = 8;

    private AgentMemoryBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("summary")) {
            Results.printSummary(Path.of(args[1]));
            return;
        }
        if (args.length < 1) throw new IllegalArgumentException("usage: MODE [pods=50] [pairs=1000] [idleSeconds=60] [resultsFile]");
        Mode mode = Mode.parse(args[0]);
        requireOwnNamespace(System.getProperty("podnet.bench.netns", ""));
        int pods = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int idle = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        Path results = args.length > 4 ? Path.of(args[4]) : null;
        String opts = System.getProperty("podnet.bench.agentOpts", "").strip();
        if (mode.unavailable().isPresent()) {
            System.out.printf("%nagent memory, mode %s: not measured (%s)%n", mode.label, mode.unavailable().get());
            if (results != null) Results.append(results, Results.unavailable(mode, opts));
            return;
        }
        String row = new AgentMemoryBench().run(mode, pods, pairs, idle, opts);
        if (results != null) Results.append(results, row);
    }

    private final Path home = Path.of(System.getProperty("podnet.home", ".")).toAbsolutePath().normalize();
    private final String prefix = "pnam" + Long.toHexString(ProcessHandle.current().pid() & 0xfff);
    private final List<String> netns = new ArrayList<>();

    String run(Mode mode, int pods, int pairs, int idle, String extraOpts) throws Exception {
        Path dir = Files.createTempDirectory(prefix + "-agentmem-");
        boolean classes = Boolean.getBoolean("podnet.bench.classes");
        String opts = String.join(" ", Stream.of(
                Boolean.parseBoolean(System.getProperty("podnet.bench.nmt", "true")) ? "-XX:NativeMemoryTracking=summary" : "",
                classes ? ClassCensus.flag(dir.resolve("classes.log")) : "", extraOpts).filter(s -> !s.isEmpty()).toList());
        String load0 = loadAverage();
        EtcdServer etcd = null;
        try {
            if (mode.etcd) {
                etcd = EtcdServer.launch();
                etcd.etcdctl("put", "/coreos.com/network/config",
                        "{\"Network\":\"10.244.0.0/16\",\"SubnetLen\":24,\"Backend\":" + mode.backend + "}");
                // the underlay: one end of a veth pair (no dummy module on every kernel), the other end up beside it
                Sh.ip(null, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0peer");
                Sh.ip(null, "link", "set", "eth0peer", "up");
                Sh.ip(null, "address", "add", Mode.PUBLIC_IP + "/24", "dev", "eth0");
                Sh.ip(null, "link", "set", "eth0", "up");
            }
            Path bin = shim(dir);
            Probe probe = new Probe(System.getProperty("java.home"));
            try (AgentLaunch agent = AgentLaunch.start(home.resolve("bin/podnet"), mode, dir, etcd == null ? null : etcd.clientUrl().toString(), opts)) {
                MemorySample ready = probe.sample(agent.pid());
                if (mode.docker) DockerHandshake.createNetwork(Mode.dockerSocket(dir));
                String type = mode.overlay() ? "podnet-flannel" : "podnet";
                Plugin cni = new Plugin(type, bin.resolve(type), bin.toString(), mode.cniConfig(dir),
                        Map.of("PODNET_AGENT_SOCKET", dir.resolve("cni.sock").toString()));
                for (int i = 0; i < pods; i++) check(cni.exec("ADD", "pod" + i, "/run/netns/" + addNetns("p" + i)), "ADD pod" + i);
                Thread.sleep(idle * 1000L);
                MemorySample afterPods = probe.sample(agent.pid());
                List<String> churn = new ArrayList<>();
                for (int i = 0; i < CHURN_NAMESPACES; i++) churn.add("/run/netns/" + addNetns("c" + i));
                long t0 = System.nanoTime();
                for (int i = 0; i < pairs; i++) {
                    String ns = churn.get(i % churn.size());
                    check(cni.exec("ADD", "churn" + i, ns), "ADD churn" + i);
                    check(cni.exec("DEL", "churn" + i, ns), "DEL churn" + i);
                }
                long churnNanos = System.nanoTime() - t0;
                Thread.sleep(idle * 1000L);
                MemorySample afterChurn = probe.sample(agent.pid());
                String args = System.getProperty("podnet.bench.agentArgs", "").strip();
                Report report = new Report(mode, args.isEmpty() ? opts : opts + " [agent " + args + "]", pods, pairs, idle, agent.readyNanos(), List.of(ready, afterPods, afterChurn), churnNanos);
                report.print(load0, loadAverage());
                if (classes) report.printClasses(ClassCensus.count(dir.resolve("classes.log")));
                return Results.row(report);
            }
        } finally {
            for (String n : netns) Sh.run("ip", "netns", "del", n);
            if (etcd != null) etcd.close();
            if (mode.etcd) Sh.run("ip", "link", "del", "eth0");
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The driver adds a dummy eth0, bridges and nft rules where it runs, so it must run inside the throwaway
     * namespace the script made (named by -Dpodnet.bench.netns), never in the host's.
     */
    static void requireOwnNamespace(String name) throws IOException {
        Path named = Path.of("/run/netns", name);
        if (name.isEmpty() || !Files.exists(named)
                || !Files.getAttribute(named, "unix:ino").equals(Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino"))) {
            throw new IllegalStateException("run me inside a throwaway network namespace named by -Dpodnet.bench.netns"
                    + " (bench/agent-memory.sh does); got \"" + name + "\"");
        }
    }

    private String addNetns(String suffix) {
        String n = prefix + suffix;
        Sh.check("ip", "netns", "add", n);
        netns.add(n);
        return n;
    }

    /** The C shim under the three plugin names, as the lab installs it. */
    private Path shim(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Sh.check("gcc", "-O2", "-o", bin.resolve("podnet").toString(), home.resolve("cni/src/main/c/podnet-cni.c").toString());
        for (String alias : List.of("podnet-flannel", "podnet-ipam")) Files.createSymbolicLink(bin.resolve(alias), Path.of("podnet"));
        return bin;
    }

    private static void check(Plugin.Outcome o, String what) {
        if (o.exit() != 0) throw new IllegalStateException(what + " failed: " + o.out());
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
