package io.podnet.ipam.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.calico.WorkloadEndpoint;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequestParser;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.ipam.cni.CalicoIpamCniHandler;
import io.podnet.testkit.EtcdServer;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd stopped for 10 s while podnet-calico-ipam allocates: every answer meanwhile is code 11, nothing is left
 * half-written, and the same handler resumes by itself when etcd is back.
 */
class ClusterIpamOutageIT {
    @TempDir
    Path dir;

    record Answer(String cid, long at, int code) {}

    @Test
    void outageAnswers11WritesNothingHalfAndResumesAlone() throws Exception {
        Assumptions.assumeTrue(Sh.has("etcd"), "needs etcd-server (installed by run-tests)");
        String prefix = "/" + RunId.prefix() + "-outage";
        try (EtcdServer etcd = EtcdServer.launch();
             var ds = EtcdDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())).withTimeout(Duration.ofSeconds(3)))) {
            // a JVM's first etcd call can take seconds on a loaded machine (class loading, channel set-up): not the outage
            await(() -> {
                try {
                    ds.revision();
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            }, 60);
            IpamFixture f = new IpamFixture(ds, prefix);
            f.pool("pool", "10.97.0.0/24", 30); // a claim every 4 addresses: the outage hits claims too
            f.node("n1", Map.of());
            var handler = new CalicoIpamCniHandler(new ClusterIpam(f.reader, InstantSource.system(), Duration.ofSeconds(2)), "n1",
                    InstantSource.system(), new NetnsLiveness(dir.resolve("live")));
            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread worker = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String cid = "c" + i;
                    int code = 0;
                    try {
                        handler.handle(CniRequestParser.parse(env("ADD", cid), conf().getBytes()));
                    } catch (CniException e) {
                        code = e.code();
                    }
                    answers.add(new Answer(cid, System.nanoTime(), code));
                    if (code != 0) LockSupport.parkNanos(50_000_000); // a runtime retries after a while, not in a hot loop
                }
            });
            try {
                await(() -> answers.stream().filter(a -> a.code() == 0).count() >= 10, 60);
                etcd.stop();
                long stopped = System.nanoTime();
                // the outage lasts 10 s: ADDs keep coming and keep being answered 11
                await(() -> answers.stream().anyMatch(a -> a.code() != 0 && a.at() - stopped > 10_000_000_000L), 60);
                etcd.start();
                long restarted = System.nanoTime();
                await(() -> answers.stream().filter(a -> a.code() == 0 && a.at() > restarted).count() >= 12, 60);
            } finally {
                stop.set(true);
                worker.join(60_000);
            }
            List<Answer> failed = new ArrayList<>(answers.stream().filter(a -> a.code() != 0).toList());
            assertThat(failed).isNotEmpty();
            assertThat(failed).extracting(Answer::code).containsOnly(11);
            // the runtime DELs every failed ADD (CNI); then the store holds exactly the answered ones, consistently
            for (Answer a : failed) handler.handle(CniRequestParser.parse(env("DEL", a.cid()), conf().getBytes()));
            long ok = answers.stream().filter(a -> a.code() == 0).count();
            var report = IpamCheck.run(f.reader, null);
            assertThat(report.problems()).as(report.toJson()).isZero();
            assertThat(f.allocated()).hasSize((int) ok);
            assertThat(f.res.list(WorkloadEndpoint.KIND)).hasSize((int) ok);
            for (var aff : f.reader.allAffinities()) assertThat(aff.value().state()).isEqualTo(BlockAffinity.State.CONFIRMED);
            System.out.printf("outage: %d ADDs answered, %d answered 11 during the outage%n", ok, failed.size());
        }
    }

    static Map<String, String> env(String cmd, String cid) {
        return io.podnet.ipam.cni.CalicoIpamCniHandlerTest.env(cmd, cid, "");
    }

    static String conf() {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"bridge\",\"ipam\":{\"type\":\"podnet-calico-ipam\"}}";
    }

    static void await(java.util.function.BooleanSupplier cond, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within " + seconds + " s");
            LockSupport.parkNanos(20_000_000);
        }
    }
}
