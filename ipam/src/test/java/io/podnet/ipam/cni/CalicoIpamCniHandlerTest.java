package io.podnet.ipam.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.calico.IpPool;
import io.podnet.calico.Kinds;
import io.podnet.calico.Node;
import io.podnet.calico.ResourceStore;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequestParser;
import io.podnet.cni.server.CniResponse;
import io.podnet.datastore.memory.MemoryDatastore;
import io.podnet.ipam.cluster.ClusterIpam;
import io.podnet.ipam.cluster.IpamCheck;
import io.podnet.ipam.cluster.IpamKeys;
import io.podnet.ipam.cluster.IpamReader;
import io.podnet.ipam.cluster.NetnsLiveness;
import io.podnet.testkit.ManualClock;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** podnet-calico-ipam through CniRequestParser on the in-memory datastore. */
public class CalicoIpamCniHandlerTest {
    @TempDir
    Path dir;
    final ManualClock clock = new ManualClock();
    final MemoryDatastore ds = new MemoryDatastore(clock);
    final ResourceStore res = new ResourceStore(ds, "/c", Kinds.IPAM, clock);
    final IpamReader reader = new IpamReader(ds, new IpamKeys("/c"), res);
    CalicoIpamCniHandler handler;

    @BeforeEach
    void setUp() throws Exception {
        res.create(IpPool.of("pool-a", IpPool.Spec.of("10.60.0.0/28").withBlockSize(30)));
        res.create(Node.of("n1", Map.of()));
        handler = new CalicoIpamCniHandler(new ClusterIpam(reader, clock), "n1", clock, new NetnsLiveness(dir.resolve("live")));
    }

    static String conf(String ipamExtra) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"bridge\",\"ipam\":{\"type\":\"podnet-calico-ipam\"" + ipamExtra + "}}";
    }

    CniResponse call(String cmd, String cid, String args, String stdin) throws CniException {
        return handler.handle(CniRequestParser.parse(env(cmd, cid, args), stdin.getBytes()));
    }

    /** A runtime's environment for one podnet-calico-ipam call (also used by ClusterIpamOutageIT). */
    public static Map<String, String> env(String cmd, String cid, String args) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", cmd);
        env.put("CNI_CONTAINERID", cid);
        env.put("CNI_NETNS", "/run/netns/" + cid);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/opt/cni/bin");
        env.put("CNI_ARGS", args);
        env.put(CniRequestParser.PLUGIN_ENV, CalicoIpamCniHandler.TYPE);
        return env;
    }

    @Test
    void addWritesHandleAttributesAndEndpointAtomicallyAndDelUndoesIt() throws Exception {
        CniResponse add = call("ADD", "abc", "IgnoreUnknown=1;K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0", conf(""));
        var r = new ObjectMapper().readTree(add.stdout());
        String ip = r.path("ips").get(0).path("address").asText();
        assertThat(ip).startsWith("10.60.0.").endsWith("/32");
        assertThat(r.path("ips").get(0).has("gateway")).isFalse();
        var info = new ClusterIpam(reader, clock).allocation(io.podnet.net.IpAddress.parse(ip.replace("/32", ""))).orElseThrow();
        assertThat(info.handleId()).isEqualTo("k8s-pod-network.abc");
        assertThat(info.attributes()).containsEntry("pod", "web-0").containsEntry("namespace", "prod").containsEntry("node", "n1")
                .containsEntry("timestamp", "2026-01-01T00:00:00Z");
        var wep = res.get(WorkloadEndpoint.KIND, "prod", "n1-k8s-web--0-eth0").orElseThrow();
        assertThat(wep.spec().ipNetworks()).containsExactly(ip);
        assertThat(IpamCheck.run(reader, null).problems()).isZero();
        call("CHECK", "abc", "K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0",
                conf("").replace("\"ipam\"", "\"prevResult\":" + r + ",\"ipam\""));
        assertThatThrownBy(() -> call("ADD", "abc", "", conf(""))).isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(103));
        call("DEL", "abc", "K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0", conf(""));
        call("DEL", "abc", "K8S_POD_NAMESPACE=prod;K8S_POD_NAME=web-0", conf(""));
        assertThat(reader.handle("k8s-pod-network.abc")).isEmpty();
        assertThat(res.list(WorkloadEndpoint.KIND)).isEmpty();
        assertThatThrownBy(() -> call("CHECK", "abc", "", conf("").replace("\"ipam\"", "\"prevResult\":" + r + ",\"ipam\"")))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(104));
    }

    @Test
    void exhaustedIs101NamingThePoolsAndLeavesNothing() throws Exception {
        for (int i = 0; i < 16; i++) call("ADD", "c" + i, "", conf(""));
        assertThatThrownBy(() -> call("ADD", "late", "", conf(""))).isInstanceOfSatisfying(CniException.class, e -> {
            assertThat(e.code()).isEqualTo(101);
            assertThat(e.getMessage()).contains("pool-a (10.60.0.0/28)");
        });
        assertThat(reader.handle("k8s-pod-network.late")).isEmpty();
        assertThat(res.list(WorkloadEndpoint.KIND)).hasSize(16);
    }

    @Test
    void requestedAddressesAndPoolsAndBadConfig() throws Exception {
        var add = new ObjectMapper().readTree(call("ADD", "r1", "IP=10.60.0.9", conf("")).stdout());
        assertThat(add.path("ips").get(0).path("address").asText()).isEqualTo("10.60.0.9/32");
        assertThatThrownBy(() -> call("ADD", "r2", "IP=10.60.0.9", conf(""))).isInstanceOfSatisfying(CniException.class,
                e -> assertThat(e.code()).isEqualTo(102));
        assertThatThrownBy(() -> call("ADD", "r3", "", conf(",\"ipv4_pools\":[\"nope\"]"))).isInstanceOfSatisfying(CniException.class,
                e -> assertThat(e).hasMessageContaining("ipam.ipv4_pools[0]: no IPPool"));
        assertThatThrownBy(() -> call("ADD", "r4", "", conf(",\"assign_ipv4\":\"yes\""))).isInstanceOfSatisfying(CniException.class,
                e -> assertThat(e.code()).isEqualTo(7));
        assertThat(new ObjectMapper().readTree(call("ADD", "r5", "", conf(",\"ipv4_pools\":[\"10.60.0.0/28\"]")).stdout())
                .path("ips").size()).isEqualTo(1);
    }

    @Test
    void datastoreTroubleIsCode11() throws Exception {
        ds.close();
        assertThatThrownBy(() -> call("ADD", "x", "", conf(""))).isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(11));
        assertThatThrownBy(() -> call("DEL", "x", "", conf(""))).isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(11));
    }

    @Test
    void cniGcReleasesThisNetworksInvalidAttachments() throws Exception {
        call("ADD", "keep", "", conf(""));
        call("ADD", "drop", "", conf(""));
        String gc = "{\"cniVersion\":\"1.1.0\",\"name\":\"k8s-pod-network\",\"type\":\"bridge\",\"ipam\":{\"type\":\"podnet-calico-ipam\"},"
                + "\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]}";
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin", "PODNET_PLUGIN", CalicoIpamCniHandler.TYPE));
        handler.handle(CniRequestParser.parse(env, gc.getBytes()));
        assertThat(reader.handle("k8s-pod-network.keep")).isPresent();
        assertThat(reader.handle("k8s-pod-network.drop")).isEmpty();
    }
}
