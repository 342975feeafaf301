package io.podnet.ipam.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.cni.server.CniServer;
import io.podnet.ipam.Owner;
import io.podnet.ipam.store.IpamStores;
import io.podnet.net.IpAddress;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference bridge plugin delegates IPAM to {@code podnet-ipam} (the C shim) which forwards to an in-test
 * agent serving {@link IpamCniHandler}: ADD, CHECK, DEL, DEL again, as a runtime runs them. The bridge plugin
 * itself runs inside a throwaway "host" namespace, so the bridge never appears in the real host namespace.
 */
class BridgeDelegationNetnsIT {
    static final Path BRIDGE = Path.of("/usr/lib/cni/bridge");
    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path tmp;

    record Run(int exit, String out) {}

    Run plugin(Netns host, Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", host.name(), BRIDGE.toString());
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        try {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new Run(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void referenceBridgeUsesPodnetIpamThroughTheShim() throws Exception {
        assumeTrue(Netns.privileged(), "needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN");
        assumeTrue(Files.isExecutable(BRIDGE), "needs containernetworking-plugins (/usr/lib/cni/bridge)");
        assumeTrue(Sh.has("gcc"), "needs gcc to build the C shim");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path src = Path.of("../cni/src/main/c/podnet-cni.c");
        assertThat(Sh.run("gcc", "-O2", "-o", bin.resolve("podnet-ipam").toString(), src.toString()).ok()).isTrue();
        Path sock = tmp.resolve("cni.sock");
        String net = RunId.name("n");
        String br = RunId.name("br");
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + net + "\",\"type\":\"bridge\",\"bridge\":\"" + br + "\","
                + "\"isGateway\":true,\"ipMasq\":false,\"ipam\":{\"type\":\"podnet-ipam\",\"ranges\":[[{\"subnet\":\"10.123.0.0/24\"}]],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dataDir\":\"" + tmp.resolve("ipam") + "\"}}";
        try (IpamStores stores = new IpamStores(); CniServer agent = CniServer.start(sock, new IpamCniHandler(stores));
             Netns host = Netns.create("h"); Netns pod = Netns.create("p")) {
            Map<String, String> env = new java.util.HashMap<>(Map.of("CNI_CONTAINERID", "c1", "CNI_NETNS", pod.path().toString(),
                    "CNI_IFNAME", "eth0", "CNI_PATH", bin.toString(), "PODNET_AGENT_SOCKET", sock.toString()));
            env.put("CNI_COMMAND", "ADD");
            Run add = plugin(host, env, conf);
            assertThat(add.exit).as(add.out).isZero();
            JsonNode r = M.readTree(add.out);
            assertThat(r.get("ips").get(0).get("address").asText()).isEqualTo("10.123.0.2/24");
            assertThat(r.get("ips").get(0).get("interface").asInt()).isEqualTo(2);
            assertThat(pod.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0").out()).contains("10.123.0.2/24");
            assertThat(host.ping("10.123.0.2")).as("host namespace reaches the pod over the bridge").isTrue();
            var owner = new Owner("c1", "eth0");
            assertThat(stores.get(tmp.resolve("ipam").resolve(net), true).addressesOf(owner)).containsExactly(IpAddress.parse("10.123.0.2"));

            String withPrev = conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + add.out + "}";
            env.put("CNI_COMMAND", "CHECK");
            Run check = plugin(host, env, withPrev);
            assertThat(check.exit).as(check.out).isZero();

            env.put("CNI_COMMAND", "DEL");
            List<Run> dels = new ArrayList<>(List.of(plugin(host, env, withPrev), plugin(host, env, withPrev)));
            assertThat(dels).allSatisfy(d -> assertThat(d.exit).as(d.out).isZero());
            assertThat(stores.get(tmp.resolve("ipam").resolve(net), true).reservations()).isEmpty();
        }
    }
}
