package io.podnet.cnm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network driver on a real kernel: the "host" is a throwaway namespace (bridge, veths, nft table and
 * sysctls all inside it), the sandboxes are two more; the test plays dockerd, with its request bodies and
 * its part of the work (moving SrcName into the sandbox, renaming it eth0, addresses, default route).
 */
@ExtendWith(NetnsExtension.class)
class CnmNetnsIT {
    static final String NET = "3d29a1c2b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f";
    static final String EP1 = "ccd4e35c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5";
    static final String EP2 = "ddd4e35c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5";
    static final String PORTMAP = "\"com.docker.network.endpoint.exposedports\":[{\"Proto\":6,\"Port\":80}],"
            + "\"com.docker.network.portmap\":[{\"Proto\":6,\"IP\":\"\",\"Port\":80,\"HostIP\":\"127.0.0.1\",\"HostPort\":18081,\"HostPortEnd\":18081}]";

    @TempDir
    Path dir;

    private CnmConfig config() {
        return new CnmConfig(dir.resolve("podnet-it.sock"), dir.resolve("state"), IpPrefix.parse("10.240.0.0/12"), 24, false, true);
    }

    @Test
    void containersPingPublishedPortWorksAndTeardownLeavesNothing(Netns host, Netns c1, Netns c2) throws Exception {
        Sh.check("ip", "-n", host.name(), "link", "set", "lo", "up");
        CnmConfig cfg = config();
        try (Rtnetlink h = Rtnetlink.open(NetNs.named(host.name()))) {
            TestNode node = TestNode.real(cfg, h);
            CnmServer server = node.server();
            try {
                PluginClient docker = new PluginClient(cfg.socket());
                String pool = createNetwork(docker);
                String bridge = "pnd" + NET.substring(0, 11);
                assertThat(Sh.ip(host.name(), "-4", "addr", "show", bridge)).contains("10.235.0.1/24");

                String a1 = endpoint(docker, pool, EP1, "{" + PORTMAP + "}");
                String a2 = endpoint(docker, pool, EP2, "null");
                JsonNode j1 = docker.ok("/NetworkDriver.Join", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1
                        + "\",\"SandboxKey\":\"/var/run/docker/netns/83bef6e7eee6\",\"Options\":{" + PORTMAP + "}}");
                assertThat(j1.get("InterfaceName").get("SrcName").asText()).isEqualTo("pnc" + EP1.substring(0, 11));
                assertThat(j1.get("InterfaceName").get("DstPrefix").asText()).isEqualTo("eth");
                assertThat(j1.get("Gateway").asText()).isEqualTo("10.235.0.1");
                assertThat(Sh.ipJson(host.name(), "link", "show", "pnh" + EP1.substring(0, 11)).get(0).get("master").asText()).isEqualTo(bridge);
                actLikeDocker(host, c1, j1, a1);
                JsonNode j2 = docker.ok("/NetworkDriver.Join", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP2
                        + "\",\"SandboxKey\":\"/x\",\"Options\":{\"com.docker.network.generic\":{\"ChildEndpoints\":null,\"ParentEndpoints\":null}}}");
                actLikeDocker(host, c2, j2, a2);
                assertThat(c1.ping(a2.substring(0, a2.indexOf('/')))).isTrue();
                assertThat(c2.ping("10.235.0.1")).isTrue();

                docker.ok("/NetworkDriver.ProgramExternalConnectivity", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1
                        + "\",\"Options\":{" + PORTMAP + "}}");
                assertThat(docker.ok("/NetworkDriver.EndpointOperInfo", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1 + "\"}")
                        .get("Value").get("published").asBoolean()).isTrue();
                assertThat(fetchThroughPublishedPort(host, c1)).isEqualTo("hello from c1");

                node.close(); // our restart: state is reloaded, rules re-applied
                node = TestNode.real(cfg, h);
                server = node.server();
                assertThat(fetchThroughPublishedPort(host, c1)).isEqualTo("hello from c1");

                // docker rm -f: Revoke, Leave, DeleteEndpoint, ReleaseAddress
                docker.ok("/NetworkDriver.RevokeExternalConnectivity", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1 + "\"}");
                assertThat(nftRules(host)).doesNotContain("18081");
                docker.ok("/NetworkDriver.Leave", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1 + "\"}");
                docker.ok("/NetworkDriver.DeleteEndpoint", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1 + "\"}");
                docker.ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + pool + "\",\"Address\":\"" + a1.substring(0, a1.indexOf('/')) + "\"}");
                // disconnect: Leave, DeleteEndpoint, ReleaseAddress (no Revoke)
                docker.ok("/NetworkDriver.Leave", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP2 + "\"}");
                docker.ok("/NetworkDriver.DeleteEndpoint", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP2 + "\"}");
                docker.ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + pool + "\",\"Address\":\"" + a2.substring(0, a2.indexOf('/')) + "\"}");
                assertThat(Sh.ip(host.name(), "link", "show")).doesNotContain("pnh").doesNotContain("pnc");
                assertThat(Sh.ip(c1.name(), "link", "show")).doesNotContain("eth0");

                // docker network rm: ReleaseAddress(gateway), ReleasePool, DeleteNetwork
                docker.ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + pool + "\",\"Address\":\"10.235.0.1\"}");
                docker.ok("/IpamDriver.ReleasePool", "{\"PoolID\":\"" + pool + "\"}");
                docker.ok("/NetworkDriver.DeleteNetwork", "{\"NetworkID\":\"" + NET + "\"}");
                assertThat(Sh.ip(host.name(), "link", "show")).doesNotContain(bridge);
                assertThat(nftRules(host)).doesNotContain("cnm_");
                assertThat(server.ipam().reservations(pool)).isEmpty();
                try (var files = Files.list(cfg.stateDir().resolve("endpoints"))) {
                    assertThat(files.toList()).isEmpty();
                }
            } finally {
                node.close();
            }
        }
    }

    @Test
    void aFailedCreateEndpointLeavesNothingAndJoinRepairsADeletedBridge(Netns host) throws Exception {
        CnmConfig cfg = config();
        try (Rtnetlink h = Rtnetlink.open(NetNs.named(host.name())); TestNode node = TestNode.real(cfg, h)) {
            CnmServer server = node.server();
            PluginClient docker = new PluginClient(cfg.socket());
            String pool = createNetwork(docker);
            PluginClient.Answer outside = docker.post("/NetworkDriver.CreateEndpoint", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP2
                    + "\",\"Interface\":{\"Address\":\"10.99.0.5/24\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"},\"Options\":null}");
            assertThat(outside.status()).isEqualTo(500);
            assertThat(outside.body().get("Err").asText()).contains("outside pool");
            assertThat(Files.exists(cfg.stateDir().resolve("endpoints").resolve(EP2 + ".json"))).isFalse();

            endpoint(docker, pool, EP1, "null");
            String bridge = "pnd" + NET.substring(0, 11);
            Sh.check("ip", "-n", host.name(), "link", "del", bridge); // someone deletes the bridge: Join still works
            JsonNode join = docker.ok("/NetworkDriver.Join", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1
                    + "\",\"SandboxKey\":\"/x\",\"Options\":{}}");
            assertThat(join.get("Gateway").asText()).isEqualTo("10.235.0.1");
            assertThat(Sh.ip(host.name(), "-4", "addr", "show", bridge)).contains("10.235.0.1/24");
            assertThat(Sh.ipJson(host.name(), "link", "show", "pnh" + EP1.substring(0, 11)).get(0).get("master").asText()).isEqualTo(bridge);
            docker.ok("/NetworkDriver.Leave", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1 + "\"}");
            assertThat(Sh.ip(host.name(), "link", "show")).doesNotContain("pnh").doesNotContain("pnc");
            docker.ok("/NetworkDriver.DeleteEndpoint", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + EP1 + "\"}");
            assertThat(server.network().endpoints()).isEmpty();
        }
    }

    /** docker network create -d podnet --ipam-driver podnet --subnet 10.235.0.0/24: returns the PoolID. */
    private static String createNetwork(PluginClient docker) throws Exception {
        docker.ok("/Plugin.Activate", "");
        String pool = docker.ok("/IpamDriver.RequestPool", "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"10.235.0.0/24\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}")
                .get("PoolID").asText();
        String gw = docker.ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + pool
                + "\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}").get("Address").asText();
        assertThat(gw).isEqualTo("10.235.0.1/24");
        docker.ok("/NetworkDriver.CreateNetwork", "{\"NetworkID\":\"" + NET + "\",\"Options\":{\"com.docker.network.enable_ipv6\":false,"
                + "\"com.docker.network.generic\":{}},\"IPv4Data\":[{\"AddressSpace\":\"podnet-local\",\"Gateway\":\"" + gw
                + "\",\"Pool\":\"10.235.0.0/24\"}],\"IPv6Data\":[]}");
        return pool;
    }

    /** RequestAddress + CreateEndpoint; returns the address (CIDR). */
    private static String endpoint(PluginClient docker, String pool, String ep, String options) throws Exception {
        String a = docker.ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + pool + "\",\"Address\":\"\",\"Options\":null}").get("Address").asText();
        JsonNode r = docker.ok("/NetworkDriver.CreateEndpoint", "{\"NetworkID\":\"" + NET + "\",\"EndpointID\":\"" + ep
                + "\",\"Interface\":{\"Address\":\"" + a + "\",\"AddressIPv6\":\"\",\"MacAddress\":\"\"},\"Options\":" + options + "}");
        assertThat(r.get("Interface").size()).isZero();
        return a;
    }

    /** What dockerd does after Join: SrcName into the sandbox as eth0 with the address and the default route. */
    private static void actLikeDocker(Netns host, Netns sandbox, JsonNode join, String address) {
        String src = join.get("InterfaceName").get("SrcName").asText();
        Sh.check("ip", "-n", host.name(), "link", "set", src, "netns", sandbox.name());
        Sh.check("ip", "-n", sandbox.name(), "link", "set", src, "name", "eth0");
        Sh.check("ip", "-n", sandbox.name(), "addr", "add", address, "dev", "eth0");
        Sh.check("ip", "-n", sandbox.name(), "link", "set", "eth0", "up");
        Sh.check("ip", "-n", sandbox.name(), "link", "set", "lo", "up");
        Sh.check("ip", "-n", sandbox.name(), "route", "add", "default", "via", join.get("Gateway").asText());
    }

    /** A TCP server on port 80 in the container; a client in the host namespace connects to 127.0.0.1:18081. */
    private static String fetchThroughPublishedPort(Netns host, Netns container) throws Exception {
        try (ServerSocket ss = Namespaces.runIn(NetNs.named(container.name()), () -> new ServerSocket(80, 5, InetAddress.getByName("0.0.0.0")))) {
            ss.setSoTimeout(10_000);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = ss.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("hello from c1".getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket c = Namespaces.runIn(NetNs.named(host.name()), () -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", 18081), 10_000);
                return s;
            })) {
                c.setSoTimeout(10_000);
                InputStream in = c.getInputStream();
                String got = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                served.get(10, TimeUnit.SECONDS);
                return got;
            }
        }
    }

    private static String nftRules(Netns host) {
        return Sh.run("ip", "netns", "exec", host.name(), "nft", "list", "ruleset").out();
    }
}
