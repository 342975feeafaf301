package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.testkit.EtcdServer;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code "ipam": {"type": "podnet-calico-ipam"}} through the real agent (own JVM, {@code calicoIpam} enabled in its
 * agent.yaml) against a real etcd: both inside the throwaway "host" namespace, Debian's reference {@code bridge} as
 * the main plugin, which execs {@code podnet-calico-ipam} = the C shim → the agent. The agent registers its Node
 * and creates the default pool from its config; ADD claims a block affine to the node and writes handle, block and
 * WorkloadEndpoint; the IPAM's CHECK passes (104 on a wrong prevResult); DEL twice succeeds and leaves nothing; with etcd stopped ADD answers 11, leaves
 * nothing, and the agent resumes alone when etcd is back.
 */
class CalicoIpamAgentNetnsIT {
    static final Path BRIDGE = Path.of("/usr/lib/cni/bridge");
    static final String NODE = "node-a";
    /** What kubelet passes (the reference plugins refuse unknown args without IgnoreUnknown). */
    static final String K8S_ARGS = "IgnoreUnknown=1;K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0";
    static CniTestBed bed;
    static EtcdServer etcd;
    static String prefix;
    static String br;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Netns.privileged(), "needs root for network namespaces");
        assumeTrue(Sh.has("etcd") && Files.isExecutable(BRIDGE), "needs etcd-server and containernetworking-plugins (run-tests installs them)");
        bed = new CniTestBed();
        Files.createSymbolicLink(bed.bin.resolve("podnet-calico-ipam"), Path.of("podnet"));
        etcd = EtcdServer.launchIn(bed.host.name());
        prefix = "/" + RunId.prefix() + "-calico";
        br = RunId.name("b");
        Path cfg = bed.dir.resolve("agent.yaml");
        Files.writeString(cfg, """
                nodeName: %s
                etcd: {endpoints: [%s]}
                calicoIpam: {enabled: true, prefix: %s, nodeLabels: {zone: a}, ipv4Pool: {cidr: 10.78.0.0/24, blockSize: 28, natOutgoing: false}}
                """.formatted(NODE, etcd.clientUrl(), prefix));
        bed.startAgent(cfg);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (bed != null) bed.close();
        } finally {
            if (etcd != null) etcd.close();
        }
    }

    @Test
    void addCheckDelDelThroughTheReferenceBridge() throws Exception {
        await(() -> get("/resources/v3/projectcalico.org/ippools/default-ipv4-ippool") != null, "the agent's default pool");
        JsonNode pool = CniTestBed.JSON.readTree(get("/resources/v3/projectcalico.org/ippools/default-ipv4-ippool"));
        assertThat(pool.path("apiVersion").asText()).isEqualTo("projectcalico.org/v3");
        assertThat(pool.path("spec").path("cidr").asText()).isEqualTo("10.78.0.0/24");
        assertThat(pool.path("spec").path("blockSize").asInt()).isEqualTo(28);
        JsonNode node = CniTestBed.JSON.readTree(get("/resources/v3/projectcalico.org/nodes/" + NODE));
        assertThat(node.path("metadata").path("labels").path("zone").asText()).isEqualTo("a");

        Netns pod = bed.pod();
        Map<String, String> env = env("ADD", "ctr-c1", pod, K8S_ARGS);
        ObjectNode conf = conf();
        var add = bed.execInHost(BRIDGE, env, conf.toString());
        assertThat(add.exit()).as(add + "\n" + bed.agentLog()).isZero();
        JsonNode result = add.json();
        String addr = result.path("ips").get(0).path("address").asText();
        assertThat(addr).startsWith("10.78.0.").endsWith("/32");
        String ip = addr.split("/")[0];
        assertThat(Sh.ip(pod.name(), "-o", "addr", "show", "dev", "eth0")).contains(addr);

        int last = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
        String blockNet = "10.78.0." + (last & ~15); // the /28 block holding it (a claim picks any free block of the pool)
        JsonNode block = CniTestBed.JSON.readTree(get("/ipam/v2/assignment/ipv4/block/" + blockNet + "-28"));
        assertThat(block.path("cidr").asText()).isEqualTo(blockNet + "/28");
        assertThat(block.path("affinity").asText()).isEqualTo("host:" + NODE);
        JsonNode attr = block.path("attributes").get(block.path("allocations").get(last & 15).asInt());
        assertThat(attr.path("handle_id").asText()).isEqualTo("k8s-pod-network.ctr-c1");
        assertThat(attr.path("secondary").path("pod").asText()).isEqualTo("web-0");
        assertThat(attr.path("secondary").path("namespace").asText()).isEqualTo("prod");
        assertThat(attr.path("secondary").path("node").asText()).isEqualTo(NODE);
        assertThat(CniTestBed.JSON.readTree(get("/ipam/v2/host/" + NODE + "/ipv4/block/" + blockNet + "-28")).path("state").asText())
                .isEqualTo("confirmed");
        assertThat(CniTestBed.JSON.readTree(get("/ipam/v2/handle/k8s-pod-network.ctr-c1")).path("block").path(blockNet + "/28").asInt())
                .isEqualTo(1);
        String wep = "/resources/v3/projectcalico.org/workloadendpoints/prod/" + WorkloadEndpoint.nameFor(NODE, "k8s", "web-0", "eth0");
        JsonNode endpoint = CniTestBed.JSON.readTree(get(wep));
        assertThat(endpoint.path("spec").path("ipNetworks").get(0).asText()).isEqualTo(addr);
        assertThat(endpoint.path("spec").path("containerID").asText()).isEqualTo("ctr-c1");

        ObjectNode withPrev = conf.deepCopy();
        withPrev.set("prevResult", result);
        // the delegated IPAM's CHECK, as a main plugin execs it (the reference bridge's own CHECK wants a gateway,
        // which a routed IPAM such as Calico's does not hand out)
        var check = bed.execInHost(bed.bin.resolve("podnet-calico-ipam"), env("CHECK", "ctr-c1", pod, K8S_ARGS), withPrev.toString());
        assertThat(check.exit()).as(check.toString()).isZero();
        ObjectNode wrong = withPrev.deepCopy();
        ((ObjectNode) wrong.path("prevResult").path("ips").get(0)).put("address", "10.78.0.250/32");
        var mismatch = bed.execInHost(bed.bin.resolve("podnet-calico-ipam"), env("CHECK", "ctr-c1", pod, K8S_ARGS), wrong.toString());
        assertThat(mismatch.code()).as(mismatch.toString()).isEqualTo(104);
        for (int i = 0; i < 2; i++) {
            var del = bed.execInHost(BRIDGE, env("DEL", "ctr-c1", pod, K8S_ARGS), withPrev.toString());
            assertThat(del.exit()).as("DEL #" + (i + 1) + " " + del).isZero();
        }
        assertThat(get("/ipam/v2/handle/k8s-pod-network.ctr-c1")).isNull();
        assertThat(get(wep)).isNull();
        JsonNode after = CniTestBed.JSON.readTree(get("/ipam/v2/assignment/ipv4/block/" + blockNet + "-28"));
        for (JsonNode a : after.path("allocations")) assertThat(a.isNull()).as("every ordinal free after DEL: " + after).isTrue();
    }

    @Test
    void etcdDownIsTryAgainLaterWithNothingWrittenAndTheAgentResumesAlone() throws Exception {
        await(() -> get("/resources/v3/projectcalico.org/ippools/default-ipv4-ippool") != null, "the agent's default pool");
        Netns pod = bed.pod();
        var warm = bed.execInHost(BRIDGE, env("ADD", "ctr-o0", pod, ""), conf().toString());
        assertThat(warm.exit()).as(warm + "\n" + bed.agentLog()).isZero();
        assertThat(bed.execInHost(BRIDGE, env("DEL", "ctr-o0", pod, ""), conf().toString()).exit()).isZero();

        Netns other = bed.pod();
        etcd.stop();
        try {
            var down = bed.execInHost(BRIDGE, env("ADD", "ctr-o1", other, ""), conf().toString());
            assertThat(down.exit()).as(down.toString()).isEqualTo(1);
            assertThat(down.code()).as(down.toString()).isEqualTo(11);
            // the runtime DELs a failed ADD; with etcd still down that may fail too, the state must stay clean anyway
            bed.execInHost(BRIDGE, env("DEL", "ctr-o1", other, ""), conf().toString());
        } finally {
            etcd.start();
        }
        assertThat(get("/ipam/v2/handle/k8s-pod-network.ctr-o1")).as("nothing half-written").isNull();
        assertThat(keys("/resources/v3/projectcalico.org/workloadendpoints/")).noneMatch(k -> k.contains("ctr--o1"));

        // no restart of the agent: the next ADD succeeds by itself (the runtime retries)
        CniTestBed.Run again = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            again = bed.execInHost(BRIDGE, env("ADD", "ctr-o2", other, ""), conf().toString());
            if (again.exit() == 0) break;
            bed.execInHost(BRIDGE, env("DEL", "ctr-o2", other, ""), conf().toString());
            LockSupport.parkNanos(200_000_000);
        }
        assertThat(again.exit()).as(again + "\n" + bed.agentLog()).isZero();
        assertThat(get("/ipam/v2/handle/k8s-pod-network.ctr-o2")).isNotNull();
        assertThat(bed.execInHost(BRIDGE, env("DEL", "ctr-o2", other, ""), conf().toString()).exit()).isZero();
        assertThat(keys("/ipam/v2/handle/")).noneMatch(k -> k.contains(".ctr-o"));
    }

    static ObjectNode conf() {
        ObjectNode c = CniTestBed.JSON.createObjectNode();
        c.put("cniVersion", "1.0.0").put("name", "k8s-pod-network").put("type", "bridge").put("bridge", br)
                .put("isGateway", false).put("ipMasq", false);
        c.putObject("ipam").put("type", "podnet-calico-ipam");
        return c;
    }

    static Map<String, String> env(String command, String cid, Netns pod, String cniArgs) {
        Map<String, String> e = bed.env(command, cid, pod, "eth0");
        if (!cniArgs.isEmpty()) e.put("CNI_ARGS", cniArgs);
        return e;
    }

    /** The value under {@code prefix + key}, or null. */
    static String get(String key) {
        String v = etcd.etcdctl("get", prefix + key, "--print-value-only").strip();
        return v.isEmpty() ? null : v;
    }

    static List<String> keys(String under) {
        return Arrays.stream(etcd.etcdctl("get", prefix + under, "--prefix", "--keys-only").split("\n"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    static void await(java.util.function.BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError(what + " not there within 60 s\n" + bed.agentLog());
            LockSupport.parkNanos(100_000_000);
        }
    }
}
