package io.podnet.ipam.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequestParser;
import io.podnet.cni.server.CniResponse;
import io.podnet.ipam.store.IpamStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpamCniHandlerTest {
    @TempDir
    Path dir;
    IpamStores stores;
    IpamCniHandler handler;

    @BeforeEach
    void setUp() {
        stores = new IpamStores();
        handler = new IpamCniHandler(stores);
    }

    @AfterEach
    void tearDown() throws Exception {
        stores.close();
    }

    String conf(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"net1\",\"type\":\"bridge\"" + extra + ",\"ipam\":{\"type\":\"podnet-ipam\","
                + "\"ranges\":[[{\"subnet\":\"10.3.0.0/24\"}],[{\"subnet\":\"fd03::/64\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],"
                + "\"dataDir\":\"" + dir + "\",\"resolvConf\":\"" + dir.resolve("resolv.conf") + "\"}}";
    }

    CniResponse call(String cmd, String cid, String cniArgs, String stdin) throws CniException {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", cmd);
        env.put("CNI_CONTAINERID", cid);
        env.put("CNI_NETNS", "/run/netns/" + cid);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/opt/cni/bin");
        env.put("CNI_ARGS", cniArgs);
        env.put("PODNET_PLUGIN", "podnet-ipam");
        return handler.handle(CniRequestParser.parse(env, stdin.getBytes()));
    }

    @Test
    void withoutDataDirTheHandlersDefaultDirectoryHoldsTheReservations() throws Exception {
        handler = new IpamCniHandler(stores, dir.resolve("agent-state/ipam")); // as the agent builds it
        String noDataDir = conf("1.0.0", "").replace(",\"dataDir\":\"" + dir + "\"", "");
        assertThat(noDataDir).doesNotContain("dataDir");
        Files.writeString(dir.resolve("resolv.conf"), "nameserver 10.3.0.53\n");
        call("ADD", "c9", "", noDataDir);
        assertThat(dir.resolve("agent-state/ipam/net1/10.3.0.2")).exists();
        assertThat(Path.of("/var/lib/cni/networks/net1/10.3.0.2")).doesNotExist();
        call("DEL", "c9", "", noDataDir);
        assertThat(dir.resolve("agent-state/ipam/net1/10.3.0.2")).doesNotExist();
    }

    @Test
    void addCheckDelGcLikeAPluginChain() throws Exception {
        Files.writeString(dir.resolve("resolv.conf"), "# test\nnameserver 10.3.0.53\nsearch svc.local local\noptions ndots:5\n");
        CniResponse add = call("ADD", "c1", "IgnoreUnknown=1;IP=10.3.0.40", conf("0.4.0", ""));
        var r = new ObjectMapper().readTree(add.stdout());
        assertThat(r.get("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(r.get("ips").get(0).get("address").asText()).isEqualTo("10.3.0.40/24");
        assertThat(r.get("ips").get(0).get("gateway").asText()).isEqualTo("10.3.0.1");
        assertThat(r.get("ips").get(0).get("version").asText()).isEqualTo("4");
        assertThat(r.get("ips").get(1).get("address").asText()).isEqualTo("fd03::2/64");
        assertThat(r.has("interfaces")).isFalse();
        assertThat(r.get("dns").get("nameservers").get(0).asText()).isEqualTo("10.3.0.53");
        assertThat(r.get("routes").get(0).get("dst").asText()).isEqualTo("0.0.0.0/0");

        String prev = ",\"prevResult\":" + new String(add.stdout());
        assertThat(call("CHECK", "c1", "", conf("0.4.0", prev)).isSuccess()).isTrue();
        call("ADD", "c2", "", conf("1.1.0", ""));
        call("ADD", "c3", "", conf("1.1.0", ""));
        assertThat(call("DEL", "c1", "", conf("0.4.0", prev)).isSuccess()).isTrue();
        assertThat(call("DEL", "c1", "", conf("0.4.0", prev)).isSuccess()).as("DEL twice").isTrue();
        assertThatThrownBy(() -> call("CHECK", "c1", "", conf("0.4.0", prev)))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(104));

        String gc = "{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"type\":\"podnet-ipam\",\"cni.dev/valid-attachments\":"
                + "[{\"containerID\":\"c3\",\"ifname\":\"eth0\"}],\"ipam\":{\"subnet\":\"10.3.0.0/24\",\"dataDir\":\"" + dir + "\"}}";
        assertThat(handler.handle(CniRequestParser.parse(Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/x"), gc.getBytes())).isSuccess()).isTrue();
        try (var files = Files.list(dir.resolve("net1"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && !n.startsWith("l")))
                    .containsExactlyInAnyOrder("10.3.0.3", "fd03::4");
        }
    }

    @Test
    void errorsCarryCniCodes() throws Exception {
        Files.writeString(dir.resolve("resolv.conf"), "nameserver 10.3.0.53\n");
        assertThatThrownBy(() -> call("ADD", "c1", "IP=10.3.0.1", conf("1.0.0", "")))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(102));
        assertThatThrownBy(() -> call("ADD", "c1", "IP=banana", conf("1.0.0", "")))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(7));
        String noIpam = "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"bridge\"}";
        assertThatThrownBy(() -> call("ADD", "c1", "", noIpam))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.msg()).contains("ipam"));
        call("ADD", "c1", "", conf("1.0.0", ""));
        assertThatThrownBy(() -> call("ADD", "c1", "", conf("1.0.0", "")))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(103));
    }

    @Test
    void aFailingAddLeaksNothing() throws Exception {
        // resolv.conf missing: the ADD fails (code 5) before anything is reserved
        assertThatThrownBy(() -> call("ADD", "c1", "", conf("1.0.0", "")))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(5));
        assertThat(stores.get(dir.resolve("net1"), true).reservations()).isEmpty();
    }
}
