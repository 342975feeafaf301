package io.podnet.ipam.cluster;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Allocating processes SIGKILLed at random moments, 20 times, against real etcd, with tiny blocks so that kills land
 * in block claims too: never a duplicate; every orphan (an allocation no workload holds, a pending claim) is found by
 * the check behind {@code podnet ipam check} and reclaimed by the GC within the grace period.
 */
class ClusterIpamCrashIT {
    @Test
    void sigkillAtRandomMomentsLeavesOnlyOrphansTheCheckFindsAndTheGcReclaims() throws Exception {
        Assumptions.assumeTrue(Sh.has("etcd"), "needs etcd-server (installed by run-tests)");
        long t0 = System.nanoTime();
        String prefix = "/" + RunId.prefix() + "-crash";
        Random rnd = new Random();
        try (EtcdServer etcd = EtcdServer.launch();
             var ds = EtcdDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())))) {
            IpamFixture f = new IpamFixture(ds, prefix);
            f.pool("pool", "10.95.0.0/24", 30); // 64 blocks of 4: a claim every few allocations
            List<String> nodes = List.of("n1", "n2", "n3");
            for (String n : nodes) f.node(n, Map.of());
            Map<String, Child> running = new HashMap<>();
            List<Child> all = new ArrayList<>();
            int generation = 0;
            try {
                for (String n : nodes) {
                    Child c = new Child(etcd.clientUrl().toString(), prefix, n, n + "g" + generation++, 1_000_000, 10, "crash", rnd.nextLong());
                    running.put(n, c);
                    all.add(c);
                }
                for (Child c : running.values()) assertThat(c.next(120)).isEqualTo("READY");
                for (int kill = 0; kill < 20; kill++) {
                    String n = nodes.get(rnd.nextInt(nodes.size()));
                    Child c = running.get(n);
                    int lines = 1 + rnd.nextInt(30);
                    for (int i = 0; i < lines; i++) assertThat(c.next(120)).isNotEqualTo(Child.EOF);
                    LockSupport.parkNanos(rnd.nextInt(3_000_000)); // land the kill anywhere in the next step
                    c.kill();
                    Child fresh = new Child(etcd.clientUrl().toString(), prefix, n, n + "g" + generation++, 1_000_000, 10, "crash", rnd.nextLong());
                    running.put(n, fresh);
                    all.add(fresh);
                    assertThat(fresh.next(120)).isEqualTo("READY");
                }
                for (Child c : running.values()) assertThat(c.finish()).isZero();
            } finally {
                all.forEach(Child::close);
            }
            // what the workloads hold: endpoint written (W) and no release started (r)
            Set<String> held = new HashSet<>();
            for (Child c : all) {
                for (String l : c.all) {
                    String[] w = l.split(" ");
                    if (w[0].equals("W")) held.add(w[1]);
                    if (w[0].equals("r")) held.remove(w[1]);
                }
            }
            ClusterIpam ipam = f.ipam();
            // an ADD or DEL the kill interrupted after its endpoint was written is one the runtime DELs again (CNI):
            // do that for every handle no workload holds but whose endpoint exists
            Set<String> seen = new HashSet<>();
            Map<String, String> nodeOf = new HashMap<>();
            for (Child c : all) for (String l : c.all) if (l.startsWith("S ")) {
                seen.add(l.split(" ")[1]);
                nodeOf.put(l.split(" ")[1], c.node);
            }
            int redone = 0;
            for (String h : seen) {
                if (held.contains(h)) continue;
                var w = IpamClient.endpoint(nodeOf.get(h), h, IpAddress.parse("0.0.0.0"));
                if (f.res.get(io.podnet.calico.WorkloadEndpoint.KIND, "default", w.name()).isPresent()) {
                    f.res.delete(io.podnet.calico.WorkloadEndpoint.KIND, "default", w.name(), null);
                    ipam.releaseByHandle(h);
                    redone++;
                }
            }
            List<IpAddress> allocated = f.allocated();
            assertThat(allocated).as("no address allocated twice").doesNotHaveDuplicates();
            Set<String> orphanIps = new HashSet<>();
            for (IpAddress ip : allocated) {
                String h = ipam.allocation(ip).orElseThrow().handleId();
                if (!held.contains(h)) orphanIps.add(ip.toString());
            }
            Set<String> pending = new HashSet<>();
            for (var a : f.reader.allAffinities()) if (a.value().state() != BlockAffinity.State.CONFIRMED) pending.add(a.key());
            var report = IpamCheck.run(f.reader, null);
            assertThat(report.duplicates()).isEmpty();
            assertThat(report.handleMismatches()).isEmpty();
            assertThat(report.missingHandles()).isEmpty();
            Set<String> reported = new HashSet<>();
            report.leakedIps().forEach(a -> reported.add(a.ip()));
            assertThat(reported).as("every orphan is reported, nothing a workload holds is").isEqualTo(orphanIps);
            assertThat(report.danglingAffinities()).hasSizeGreaterThanOrEqualTo(pending.size());
            // the GC of each node (workloads = endpoints), on a manual clock: everything reclaimed after the grace period
            Duration grace = Duration.ofMinutes(5);
            List<IpamGc> gcs = new ArrayList<>();
            for (String n : nodes) gcs.add(new IpamGc(ipam, n, WorkloadLiveness.endpoints(f.res), grace, f.clock));
            for (IpamGc g : gcs) g.runOnce();
            f.clock.advance(grace);
            for (int pass = 0; pass < 2; pass++) for (IpamGc g : gcs) g.runOnce();
            var after = IpamCheck.run(f.reader, null);
            assertThat(after.problems()).as(after.toJson()).isZero();
            for (var a : f.reader.allAffinities()) assertThat(a.value().state()).as(a.key()).isEqualTo(BlockAffinity.State.CONFIRMED);
            for (String h : held) assertThat(f.reader.handle(h)).as("held " + h).isPresent();
            assertThat(f.allocated()).hasSize(held.size());
            System.out.printf("crash: 20 kills, %d held, %d orphaned allocations and %d pending claims found and reclaimed, %d DELs redone,"
                    + " %.1f s%n", held.size(), orphanIps.size(), pending.size(), redone, (System.nanoTime() - t0) / 1e9);
        }
    }
}
