package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import io.podnet.workload.bridge.Attachment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the agent JVM during 50 parallel ADDs (each through the C shim), then restart: every pod that got
 * a success result works, no IP is held twice, and GC with the pods that got a result as the valid list
 * releases every reservation of the others.
 */
class AgentCrashNetnsIT {
    static final int PODS = 50;

    @Test
    void killDuringParallelAddsThenRestartAndGc() throws Exception {
        assumeTrue(Netns.privileged(), "needs root for network namespaces");
        try (CniTestBed bed = new CniTestBed()) {
            bed.startAgent();
            String net = "crash";
            ObjectNode conf = bed.bridgeConf("1.1.0", net, RunId.name("b"), "10.80.0.0/24");
            List<Netns> pods = new ArrayList<>();
            for (int i = 0; i < PODS; i++) pods.add(bed.pod());
            Map<String, JsonNode> ok = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            AtomicInteger succeeded = new AtomicInteger();
            try (ExecutorService pool = Executors.newFixedThreadPool(PODS)) {
                List<Future<CniTestBed.Run>> runs = new ArrayList<>();
                for (int i = 0; i < PODS; i++) {
                    int n = i;
                    runs.add(pool.submit(() -> {
                        var r = bed.podnet("ADD", "ctr-k" + n, pods.get(n), "eth0", conf.toString());
                        if (r.exit() == 0) succeeded.incrementAndGet();
                        return r;
                    }));
                }
                Instant end = Instant.now().plus(Duration.ofSeconds(30));
                while (succeeded.get() < PODS / 5 && Instant.now().isBefore(end)) Thread.onSpinWait();
                bed.killAgent();
                for (int i = 0; i < PODS; i++) {
                    var r = runs.get(i).get();
                    if (r.exit() == 0) ok.put("ctr-k" + i, r.json());
                    else failures.add("ctr-k" + i + ": " + r.out().strip());
                }
            }
            System.out.println("crash test: " + ok.size() + " ADDs got a result, " + failures.size() + " failed: " + failures);
            assertThat(ok).as("some ADDs finished before the kill").isNotEmpty();
            bed.startAgent();

            Set<String> ips = new HashSet<>();
            for (var e : ok.entrySet()) {
                int n = Integer.parseInt(e.getKey().substring("ctr-k".length()));
                Netns pod = pods.get(n);
                String addr = e.getValue().path("ips").get(0).path("address").asText();
                String gw = e.getValue().path("ips").get(0).path("gateway").asText();
                assertThat(ips.add(addr.split("/")[0])).as("duplicate IP " + addr).isTrue();
                assertThat(Sh.ip(pod.name(), "-o", "addr", "show", "dev", "eth0")).as(e.getKey()).contains(addr);
                assertThat(pod.ping(gw) || pod.ping(gw)).as(e.getKey() + " pings the gateway " + gw).isTrue();
                assertThat(bed.reservationOwner(net, addr.split("/")[0])).isEqualTo(e.getKey());
            }
            // no IP file is owned twice by one container, and no IP is in two pods
            Map<String, String> owners = new TreeMap<>();
            for (String ip : bed.reservations(net)) {
                String owner = bed.reservationOwner(net, ip);
                assertThat(owners.put(owner, ip)).as("container " + owner + " holds two IPs").isNull();
            }
            ObjectNode gc = conf.deepCopy();
            ArrayNode valid = gc.putArray("cni.dev/valid-attachments");
            ok.keySet().forEach(id -> valid.addObject().put("containerID", id).put("ifname", "eth0"));
            var r = bed.exec(bed.shim, Map.of("CNI_COMMAND", "GC", "CNI_PATH", bed.bin.toString(),
                    "PODNET_AGENT_SOCKET", bed.socket.toString()), gc.toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(bed.reservations(net)).containsExactlyInAnyOrderElementsOf(ips);
            Set<String> validVeths = new HashSet<>();
            ok.keySet().forEach(id -> validVeths.add(Attachment.hostVethName(id, "eth0")));
            assertThat(bed.hostVeths()).allMatch(validVeths::contains);
            for (int i = 0; i < PODS; i++) {
                var del = bed.podnet("DEL", "ctr-k" + i, pods.get(i), "eth0", conf.toString());
                assertThat(del.exit()).as(del.toString()).isZero();
            }
            assertThat(bed.reservations(net)).isEmpty();
        }
    }
}
