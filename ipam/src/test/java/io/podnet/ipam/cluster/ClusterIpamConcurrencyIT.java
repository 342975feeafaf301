package io.podnet.ipam.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.calico.WorkloadEndpoint;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.net.IpAddress;
import io.podnet.testkit.EtcdServer;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * 8 client processes acting as 5 nodes allocate and release 5,000 addresses at once against real etcd, on three small
 * pools so that blocks run out and nodes borrow: no address is ever held twice (from every answer and from etcd's
 * final state), handles and allocations agree, and after containers vanish without DEL the GC leaves no leak.
 */
class ClusterIpamConcurrencyIT {
    record Held(String handle, long from, long to) {}

    @Test
    void eightProcessesAsFiveNodesNeverShareAnAddress() throws Exception {
        Assumptions.assumeTrue(Sh.has("etcd"), "needs etcd-server (installed by run-tests)");
        long t0 = System.nanoTime();
        String prefix = "/" + RunId.prefix() + "-conc";
        try (EtcdServer etcd = EtcdServer.launch();
             var ds = EtcdDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())))) {
            IpamFixture f = new IpamFixture(ds, prefix);
            f.pool("pool-a", "10.90.0.0/25", 27); // 4 blocks of 32
            f.pool("pool-b", "10.91.0.0/25", 28); // 8 blocks of 16
            f.pool("pool-c", "10.92.0.0/26", 28); // 4 blocks of 16: 320 addresses for up to 8 x 40 held at once
            List<String> nodes = List.of("n1", "n1", "n2", "n2", "n3", "n3", "n4", "n5");
            for (String n : Set.copyOf(nodes)) f.node(n, Map.of());
            List<Child> children = new ArrayList<>();
            try {
                for (int i = 0; i < nodes.size(); i++) {
                    children.add(new Child(etcd.clientUrl().toString(), prefix, nodes.get(i), nodes.get(i) + "p" + i, 625, 40, "churn", 42 + i));
                }
                for (Child c : children) {
                    assertThat(c.process.waitFor(300, TimeUnit.SECONDS)).as(c.tag + " finished").isTrue();
                    assertThat(c.process.exitValue()).as(c.tag + " exit").isZero();
                    while (!c.next(30).equals(Child.EOF)) { }
                }
            } finally {
                children.forEach(Child::close);
            }
            // every answer: per address, the holding intervals [allocated, release started] never overlap
            Map<String, List<Held>> byIp = new HashMap<>();
            Map<String, String> live = new HashMap<>(); // handle -> ip
            Map<String, Long> allocatedAt = new HashMap<>();
            Map<String, String> ipOf = new HashMap<>();
            int allocations = 0;
            int refused = 0;
            int borrowedAnswers = 0;
            for (Child c : children) {
                assertThat(c.all.getLast()).isEqualTo("DONE");
                for (String l : c.all) {
                    String[] w = l.split(" ");
                    switch (w[0]) {
                        case "A" -> {
                            allocations++;
                            if (w.length > 4) borrowedAnswers++;
                            live.put(w[1], w[2]);
                            ipOf.put(w[1], w[2]);
                            allocatedAt.put(w[1], Long.parseLong(w[3]));
                        }
                        case "r" -> {
                            byIp.computeIfAbsent(ipOf.get(w[1]), k -> new ArrayList<>()).add(new Held(w[1], allocatedAt.get(w[1]), Long.parseLong(w[2])));
                            live.remove(w[1]);
                        }
                        case "X" -> refused++;
                        default -> { }
                    }
                }
            }
            live.forEach((h, ip) -> byIp.computeIfAbsent(ip, k -> new ArrayList<>()).add(new Held(h, allocatedAt.get(h), Long.MAX_VALUE)));
            for (var e : byIp.entrySet()) {
                List<Held> hs = new ArrayList<>(e.getValue());
                hs.sort((x, y) -> Long.compare(x.from(), y.from()));
                for (int i = 1; i < hs.size(); i++) {
                    assertThat(hs.get(i).from()).as(e.getKey() + " handed to " + hs.get(i).handle() + " while " + hs.get(i - 1).handle() + " held it")
                            .isGreaterThan(hs.get(i - 1).to());
                }
            }
            assertThat(allocations).isEqualTo(5000);
            // etcd's final state: exactly the live answers, each once, handles consistent, nothing else
            List<IpAddress> allocated = f.allocated();
            assertThat(allocated).doesNotHaveDuplicates();
            assertThat(allocated.stream().map(IpAddress::toString).toList()).containsExactlyInAnyOrderElementsOf(live.values());
            for (var e : live.entrySet()) {
                assertThat(f.ipam().allocation(IpAddress.parse(e.getValue())).orElseThrow().handleId()).isEqualTo(e.getKey());
                assertThat(f.reader.handle(e.getKey()).orElseThrow().value().total()).isEqualTo(1);
            }
            var report = IpamCheck.run(f.reader, null);
            assertThat(report.problems()).as(report.toJson()).isZero();
            assertThat(f.reader.handles()).hasSize(live.size());
            int borrowed = 0;
            for (var b : f.reader.blocks(null)) {
                for (int o = 0; o < b.value().capacity(); o++) {
                    String owner = b.value().attributeOf(o).map(a -> a.secondary().get("node")).orElse(null);
                    if (owner != null && !b.value().host().map(owner::equals).orElse(false)) borrowed++;
                }
            }
            // containers of a third of the live handles vanish without DEL: the GC of each node reclaims them
            Set<String> abandoned = new HashSet<>();
            int k = 0;
            for (String h : live.keySet()) {
                if (k++ % 3 != 0) continue;
                abandoned.add(h);
                String node = h.substring(0, h.indexOf('p'));
                f.res.delete(WorkloadEndpoint.KIND, "default", IpamClient.endpoint(node, h, IpAddress.parse("0.0.0.0")).name(), null);
            }
            Duration grace = Duration.ofMinutes(5);
            List<IpamGc> gcs = new ArrayList<>();
            for (String n : Set.copyOf(nodes)) gcs.add(new IpamGc(f.ipam(), n, WorkloadLiveness.endpoints(f.res), grace, f.clock));
            for (IpamGc g : gcs) g.runOnce();
            f.clock.advance(grace);
            int reclaimed = 0;
            for (IpamGc g : gcs) reclaimed += g.runOnce().leakedHandlesReleased().size();
            assertThat(reclaimed).isEqualTo(abandoned.size());
            var after = IpamCheck.run(f.reader, null);
            assertThat(after.problems()).as(after.toJson()).isZero();
            assertThat(f.allocated()).hasSize(live.size() - abandoned.size());
            for (String h : abandoned) assertThat(f.reader.handle(h)).isEmpty();
            System.out.printf("concurrency: %d allocations (%d borrowed), %d refused (exhausted), %d releases, %d borrowed held at the end,"
                    + " %d leaks reclaimed, %.1f s%n", allocations, borrowedAnswers, refused, countReleases(children), borrowed, reclaimed,
                    (System.nanoTime() - t0) / 1e9);
            assertThat(borrowedAnswers).as("nodes borrowed from each other's blocks").isPositive();
        }
    }

    private static int countReleases(List<Child> children) {
        int n = 0;
        for (Child c : children) for (String l : c.all) if (l.startsWith("r ")) n++;
        return n;
    }
}
