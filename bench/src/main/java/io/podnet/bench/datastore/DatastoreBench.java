package io.podnet.bench.datastore;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.options.PutOption;
import io.podnet.datastore.Compare;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.Op;
import io.podnet.datastore.Txn;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdClient;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.testkit.EtcdServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts/s and CAS/s through podnet's {@link EtcdDatastore} versus an equivalent raw jetcd client loop, against one
 * throwaway etcd (tmpfs data dir) started by this driver. Both sides run the same blocking loop, one call per
 * iteration, on the same number of threads; rounds alternate which side goes first; the ratio is the median of per-round ratios,
 * which resists drift from other load on the machine.
 *
 * <p>Usage: {@code DatastoreBench [opsPerThread=1000] [threads=1,16] [rounds=9] [--client=grpc|http] [--check-perf[=s|m|l]]};
 * {@code --client} picks podnet's etcd client ({@link EtcdClient}, default grpc: jetcd under podnet's API; http:
 * the JSON-gateway client against the same raw jetcd loop); {@code --check-perf} also runs {@code etcdctl check
 * perf} against the same etcd afterwards. Not a test: prints a table.
 */
public final class DatastoreBench {
    private static final byte[] VALUE = "{\"PublicIP\":\"10.99.0.1\",\"BackendType\":\"vxlan\"}".getBytes(StandardCharsets.UTF_8);

    private interface Loop {
        void run(int thread, int i) throws Exception;
    }

    private DatastoreBench() {}

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int[] threadCounts = java.util.Arrays.stream((args.length > 1 ? args[1] : "1,16").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        List<String> flags = args.length > 3 ? List.of(args).subList(3, args.length) : List.of();
        EtcdClient client = flags.stream().filter(f -> f.startsWith("--client=")).map(f -> EtcdClient.parse(f.substring(9)))
                .findFirst().orElse(EtcdClient.GRPC);
        String checkPerf = flags.stream().filter(f -> f.startsWith("--check-perf")).findFirst().orElse(null);
        try (EtcdServer etcd = EtcdServer.launch();
             Datastore podnet = client.connect(EtcdConfig.of(List.of(etcd.clientUrl())));
             Client raw = Client.builder().endpoints(etcd.clientUrl()).build()) {
            System.out.printf("%s, etcd at %s, data in %s; %d ops per thread, %d rounds (median shown)%n",
                    etcd.etcdctl("version").lines().findFirst().orElse("?"), etcd.clientUrl(), etcd.dir(), ops, rounds);
            System.out.printf("%-22s %8s %14s %14s %8s%n", "workload", "threads", "podnet-" + client.label() + " ops/s", "jetcd ops/s", "ratio");
            for (int threads : threadCounts) {
                compare("put", threads, ops, rounds, putLoop(podnet, "p"), rawPutLoop(raw.getKVClient(), "r"));
                compare("CAS (txn mod_rev)", threads, ops, rounds, casLoop(podnet, "pc", threads), rawCasLoop(raw.getKVClient(), "rc", threads));
            }
            if (checkPerf != null) {
                // etcd's own load generator on the same server (60 s; writes ~1.5 GB into the tmpfs data dir)
                String load = checkPerf.contains("=") ? checkPerf.substring(checkPerf.indexOf('=') + 1) : "s";
                System.out.println("etcdctl check perf --load=" + load + ":");
                var r = etcd.etcdctlRaw("check", "perf", "--load=" + load);
                // keep the verdict lines, drop the progress bar
                (r.out() + r.err()).lines().map(l -> l.substring(Math.max(0, l.indexOf("PASS") >= 0 ? l.indexOf("PASS")
                        : l.indexOf("FAIL")))).filter(l -> l.startsWith("PASS") || l.startsWith("FAIL"))
                        .forEach(System.out::println);
            }
        }
    }

    private static void compare(String name, int threads, int ops, int rounds, Loop podnet, Loop raw) throws Exception {
        time(podnet, threads, Math.min(ops, 1000));   // warm-up both paths
        time(raw, threads, Math.min(ops, 1000));
        List<Double> p = new ArrayList<>();
        List<Double> r = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            // alternate which side goes first, and pair each podnet round with the raw round next to it
            double a = i % 2 == 0 ? time(podnet, threads, ops) : 0;
            double b = time(raw, threads, ops);
            if (i % 2 == 1) a = time(podnet, threads, ops);
            p.add(a);
            r.add(b);
            ratio.add(a / b);
        }
        System.out.printf("%-22s %8d %14.0f %14.0f %7.2fx   (per-round ratios %s)%n", name, threads, median(p), median(r),
                median(ratio), ratio.stream().map(x -> "%.2f".formatted(x)).toList());
    }

    /** Runs {@code ops} iterations on each of {@code threads} platform threads; returns total ops/s. */
    private static double time(Loop loop, int threads, int ops) throws Exception {
        List<Thread> ts = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            ts.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < ops; i++) {
                    try {
                        loop.run(thread, i);
                    } catch (Exception e) {
                        if (failures.getAndIncrement() == 0) e.printStackTrace();
                    }
                }
            }));
        }
        for (Thread t : ts) t.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failures.get() > 0) throw new IllegalStateException(failures.get() + " operations failed");
        return threads * (double) ops / seconds;
    }

    private static Loop putLoop(Datastore ds, String tag) {
        return (t, i) -> ds.put("/bench/" + tag + "/" + t + "/" + (i % 1000), VALUE);
    }

    private static Loop rawPutLoop(KV kv, String tag) {
        ByteSequence value = ByteSequence.from(VALUE);
        return (t, i) -> kv.put(key("/bench/" + tag + "/" + t + "/" + (i % 1000)), value).get(5, TimeUnit.SECONDS);
    }

    /** Each thread owns one key and swaps it on the mod revision it got last time: every CAS succeeds. */
    private static Loop casLoop(Datastore ds, String tag, int threads) throws Exception {
        long[] rev = new long[threads];
        for (int t = 0; t < threads; t++) rev[t] = ds.put(key(tag, t), VALUE);
        return (t, i) -> {
            String k = key(tag, t);
            rev[t] = ds.txn(Txn.when(Compare.modRevisionIs(k, rev[t]), Op.put(k, VALUE))).orThrow().revision();
        };
    }

    private static Loop rawCasLoop(KV kv, String tag, int threads) throws Exception {
        long[] rev = new long[threads];
        ByteSequence value = ByteSequence.from(VALUE);
        for (int t = 0; t < threads; t++) rev[t] = kv.put(key(key(tag, t)), value).get().getHeader().getRevision();
        return (t, i) -> {
            ByteSequence k = key(key(tag, t));
            var r = kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(rev[t])))
                    .Then(io.etcd.jetcd.op.Op.put(k, value, PutOption.DEFAULT)).commit().get(5, TimeUnit.SECONDS);
            if (!r.isSucceeded()) throw new IllegalStateException("raw CAS lost on an owned key");
            rev[t] = r.getHeader().getRevision();
        };
    }

    private static String key(String tag, int thread) { return "/bench/" + tag + "/" + thread; }

    private static ByteSequence key(String k) { return ByteSequence.from(k, StandardCharsets.UTF_8); }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.get(s.size() / 2);
    }
}
