package io.podnet.bench.cniadd;

import io.podnet.calico.IpPool;
import io.podnet.calico.Kinds;
import io.podnet.calico.Node;
import io.podnet.calico.ResourceStore;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdClient;
import io.podnet.ipam.cluster.ClusterIpam;
import io.podnet.ipam.cluster.IpamKeys;
import io.podnet.ipam.cluster.IpamReader;
import io.podnet.testkit.EtcdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * CNI ADD/DEL through the agent with {@code podnet-calico-ipam} against a real etcd vs podnet's local IPAM
 * ({@code podnet-ipam}), same main plugin (Debian's reference {@code bridge}, which execs the IPAM plugin = the C
 * shim → agent), same agent, same run, rounds alternating; then the allocation throughput of 1..5 nodes allocating
 * at once (one in-process {@link ClusterIpam} per node, one thread each, the CNI handler's writes: block + handle +
 * WorkloadEndpoint in one transaction, release the same way). Run inside a throwaway netns (bench/calico-ipam.sh).
 * Args: [pods=100] [rounds=2] [allocsPerNode=300].
 */
public final class CalicoIpamBench {
    private CalicoIpamBench() {}

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int perNode = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        String prefix = "pnc" + Long.toHexString(ProcessHandle.current().pid() & 0xfff);
        Path dir = Files.createTempDirectory(prefix + "-calico");
        List<String> netns = new ArrayList<>();
        try (EtcdServer etcd = EtcdServer.launch()) {
            Path cfg = dir.resolve("agent.yaml");
            Files.writeString(cfg, """
                    nodeName: bench-n1
                    etcd: {endpoints: [%s]}
                    calicoIpam: {enabled: true, prefix: /%s, ipv4Pool: {cidr: 10.93.0.0/16, blockSize: 26, natOutgoing: false}}
                    """.formatted(etcd.clientUrl(), prefix));
            try (AgentProcess agent = AgentProcess.start(dir, System.getProperty("podnet.cli.cp"), List.of("--config", cfg.toString()));
                 Datastore ds = EtcdClient.HTTP.connect(EtcdConfig.of(List.of(etcd.clientUrl())))) { // the agent's default client
                ResourceStore res = new ResourceStore(ds, "/" + prefix, Kinds.IPAM, InstantSource.system());
                long end = System.nanoTime() + 60_000_000_000L;
                while (res.get(IpPool.KIND, "default-ipv4-ippool").isEmpty()) { // the agent bootstraps the pool
                    if (System.nanoTime() > end) throw new IllegalStateException("the agent created no pool");
                    Thread.sleep(50);
                }
                for (int i = 0; i < pods; i++) {
                    String n = prefix + "p" + i;
                    CniAddBench.sh("ip", "netns", "add", n);
                    netns.add(n);
                }
                Path bin = Files.createDirectories(dir.resolve("bin"));
                Path shim = bin.resolve("podnet");
                CniAddBench.sh("gcc", "-O2", "-o", shim.toString(), System.getProperty("podnet.cshim.src", "cni/src/main/c/podnet-cni.c"));
                for (String alias : List.of("podnet-ipam", "podnet-calico-ipam")) Files.createSymbolicLink(bin.resolve(alias), Path.of("podnet"));
                Map<String, String> env = Map.of("PODNET_AGENT_SOCKET", agent.socket().toString());
                Path bridge = Path.of("/usr/lib/cni/bridge");
                Plugin calico = new Plugin("calico-ipam", bridge, bin.toString(), conf(prefix + "b0",
                        "{\"type\":\"podnet-calico-ipam\"}"), env);
                Plugin local = new Plugin("local-ipam", bridge, bin.toString(), conf(prefix + "b1",
                        "{\"type\":\"podnet-ipam\",\"ranges\":[[{\"subnet\":\"10.94.0.0/16\"}]],\"dataDir\":\"" + dir.resolve("ipam") + "\"}"), env);
                List<Long> cAdd = new ArrayList<>(), cDel = new ArrayList<>(), lAdd = new ArrayList<>(), lDel = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    for (Plugin p : r % 2 == 0 ? List.of(calico, local) : List.of(local, calico)) {
                        long[][] t = measure(p, netns, pods);
                        for (long x : t[0]) (p == calico ? cAdd : lAdd).add(x);
                        for (long x : t[1]) (p == calico ? cDel : lDel).add(x);
                    }
                }
                System.out.printf("CNI ADD/DEL through the agent, reference bridge as main plugin, %d pods x %d rounds, %d warm-up pairs%n",
                        pods, rounds, CniAddBench.WARMUP);
                System.out.printf("%-14s %14s %14s %8s%n", "", "calico-ipam", "local ipam", "ratio");
                row("ADD p50 (ms)", cAdd, lAdd, .5);
                row("ADD p95 (ms)", cAdd, lAdd, .95);
                row("DEL p50 (ms)", cDel, lDel, .5);
                row("DEL p95 (ms)", cDel, lDel, .95);
                System.out.printf("target: calico-ipam ADD p50 <= 1.5x local: %s%n", pct(cAdd, .5) <= 1.5 * pct(lAdd, .5));
                System.out.printf("load average: %s%n", CniAddBench.loadAverage());
                throughput(ds, "/" + prefix + "-tp", perNode);
            }
        } finally {
            for (String n : netns) CniAddBench.sh("ip", "netns", "del", n);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static String conf(String bridge, String ipam) {
        return """
                {"cniVersion":"1.0.0","name":"k8s-pod-network","type":"bridge","bridge":"%s","isGateway":false,"ipMasq":false,"ipam":%s}"""
                .formatted(bridge, ipam);
    }

    static long[][] measure(Plugin p, List<String> netns, int pods) throws Exception {
        for (int i = 0; i < CniAddBench.WARMUP; i++) {
            String ns = "/run/netns/" + netns.get(i % netns.size());
            CniAddBench.check(p.exec("ADD", "warm" + i, ns), p, "ADD");
            CniAddBench.check(p.exec("DEL", "warm" + i, ns), p, "DEL");
        }
        long[] add = new long[pods];
        long[] del = new long[pods];
        for (int i = 0; i < pods; i++) add[i] = CniAddBench.check(p.exec("ADD", "seq" + i, "/run/netns/" + netns.get(i)), p, "ADD").nanos();
        for (int i = 0; i < pods; i++) del[i] = CniAddBench.check(p.exec("DEL", "seq" + i, "/run/netns/" + netns.get(i)), p, "DEL").nanos();
        return new long[][] {add, del};
    }

    static double pct(List<Long> ns, double q) {
        return CniAddBench.pct(ns.stream().mapToLong(Long::longValue).toArray(), q);
    }

    static void row(String what, List<Long> a, List<Long> b, double q) {
        System.out.printf("%-14s %14.2f %14.2f %8.2f%n", what, pct(a, q), pct(b, q), pct(a, q) / pct(b, q));
    }

    /** k nodes allocating (and releasing) at once, k = 1..5: allocations per second in total and per node. */
    static void throughput(Datastore ds, String prefix, int perNode) throws Exception {
        ResourceStore res = new ResourceStore(ds, prefix, Kinds.IPAM, InstantSource.system());
        res.create(IpPool.of("tp", IpPool.Spec.of("10.96.0.0/16").withBlockSize(26)));
        IpamReader reader = new IpamReader(ds, new IpamKeys(prefix), res);
        System.out.printf("%nthroughput: each node allocates %d addresses (block + handle + endpoint in one txn), then releases them%n", perNode);
        System.out.printf("%-6s %16s %16s %14s%n", "nodes", "allocs/s total", "allocs/s/node", "p50 alloc ms");
        double one = 0;
        for (int k = 0; k <= 5; k++) { // k = 0: one node's warm-up round (JIT), not reported
            boolean warm = k == 0;
            if (warm) k = 1;
            for (int n = 1; n <= k; n++) if (res.get(Node.KIND, "tp" + n).isEmpty()) res.create(Node.of("tp" + n, Map.of()));
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            long[][] lat = new long[k][perNode];
            AtomicLong failures = new AtomicLong();
            int nodes = k;
            for (int n = 0; n < k; n++) {
                int idx = n;
                ClusterIpam ipam = new ClusterIpam(reader, InstantSource.system(), Duration.ofSeconds(2));
                ipam.autoAssign(new ClusterIpam.AssignRequest("warm-" + k + (warm ? "w" : "") + "-" + n, "tp" + (n + 1), Map.of(), 1, 0, List.of(), List.of()));
                ipam.releaseByHandle("warm-" + k + (warm ? "w" : "") + "-" + n);
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        String node = "tp" + (idx + 1);
                        for (int i = 0; i < perNode; i++) {
                            String h = "k8s-pod-network.k" + nodes + (warm ? "w" : "") + "n" + idx + "-" + i;
                            long t0 = System.nanoTime();
                            ipam.autoAssign(new ClusterIpam.AssignRequest(h, node, Map.of("node", node), 1, 0, List.of(), List.of()),
                                    ips -> List.of(io.podnet.datastore.Op.put(prefix + "/bench-endpoint/" + h, ips.getFirst().toString().getBytes())));
                            lat[idx][i] = System.nanoTime() - t0;
                        }
                        for (int i = 0; i < perNode; i++) {
                            String h = "k8s-pod-network.k" + nodes + (warm ? "w" : "") + "n" + idx + "-" + i;
                            ipam.releaseByHandle(h, List.of(io.podnet.datastore.Op.delete(prefix + "/bench-endpoint/" + h)));
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        e.printStackTrace();
                    }
                }));
            }
            long t0 = System.nanoTime();
            go.countDown();
            for (Thread t : ts) t.join();
            long wall = System.nanoTime() - t0;
            long sumAlloc = 0;
            long[] all = new long[k * perNode];
            for (int n = 0; n < k; n++) {
                System.arraycopy(lat[n], 0, all, n * perNode, perNode);
                for (long x : lat[n]) sumAlloc += x;
            }
            // allocation rate: every node's allocations over the allocation phase (mean per-node allocation time)
            double allocSeconds = sumAlloc / 1e9 / k;
            double rate = k * perNode / allocSeconds;
            if (warm) {
                k = 0;
                continue;
            }
            if (k == 1) one = rate;
            System.out.printf("%-6d %16.0f %16.0f %14.2f   (x%.2f of 1 node; wall incl. release %.1f s%s)%n", k, rate, rate / k,
                    CniAddBench.pct(all, .5), rate / one, wall / 1e9, failures.get() > 0 ? ", " + failures.get() + " FAILED" : "");
        }
        System.out.printf("load average: %s%n", CniAddBench.loadAverage());
    }

}
