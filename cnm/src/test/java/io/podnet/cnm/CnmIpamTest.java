package io.podnet.cnm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin protocol and the IPAM driver, with request bodies as dockerd 20.10 sends them (REAL-CLIENTS.md §3). */
class CnmIpamTest {
    @TempDir
    Path dir;
    Rtnetlink host;
    TestNode node;
    CnmServer server;
    PluginClient docker;
    CnmConfig config;

    @BeforeEach
    void start() throws Exception {
        host = Rtnetlink.open(NetNs.current()); // only read (routes, for default pool choice)
        config = new CnmConfig(dir.resolve("plugins/podnet-test.sock"), dir.resolve("state"), IpPrefix.parse("10.251.0.0/22"), 24, false, true);
        node = TestNode.fake(config, host);
        server = node.server();
        docker = new PluginClient(config.socket());
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) node.close();
        host.close();
    }

    private void restart() throws Exception {
        node.close();
        node = TestNode.fake(config, host);
        server = node.server();
    }

    @Test
    void handshakeWithEmptyBodiesAndNoContentType() throws Exception {
        assertThat(docker.ok("/Plugin.Activate", "").toString()).isEqualTo("{\"Implements\":[\"NetworkDriver\",\"IpamDriver\"]}");
        JsonNode caps = docker.ok("/NetworkDriver.GetCapabilities", "");
        assertThat(caps.get("Scope").asText()).isEqualTo("local");
        assertThat(caps.get("ConnectivityScope").asText()).isEqualTo("local");
        assertThat(docker.ok("/IpamDriver.GetCapabilities", "").get("RequiresMACAddress").asBoolean()).isFalse();
        JsonNode spaces = docker.ok("/IpamDriver.GetDefaultAddressSpaces", "");
        assertThat(spaces.get("LocalDefaultAddressSpace").asText()).isEqualTo("podnet-local");
        assertThat(docker.ok("/NetworkDriver.DiscoverNew", "{\"DiscoveryType\":1,\"DiscoveryData\":{\"Address\":\"10.0.0.1\",\"self\":true}}").size()).isZero();
    }

    @Test
    void unknownMethodIs404AndErrorsUseTheRightKey() throws Exception {
        assertThat(docker.post("/NetworkDriver.Frobnicate", "{}").status()).isEqualTo(404);
        PluginClient.Answer bad = docker.post("/NetworkDriver.Join", "{\"NetworkID\":\"ab\",\"EndpointID\":\"cd\",\"SandboxKey\":\"/x\"}");
        assertThat(bad.status()).isEqualTo(500);
        assertThat(bad.body().get("Err").asText()).contains("network ab not found");
        PluginClient.Answer badIpam = docker.post("/IpamDriver.RequestAddress", "{\"PoolID\":\"rcpool1\",\"Address\":\"\",\"Options\":null}");
        assertThat(badIpam.status()).isEqualTo(500);
        assertThat(badIpam.body().get("Err").asText()).contains("not a podnet PoolID");
        assertThat(docker.post("/IpamDriver.RequestPool", "{not json").body().get("Err").asText()).contains("malformed JSON");
        assertThat(docker.post("/IpamDriver.RequestPool", "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"\",\"SubPool\":\"10.1.0.0/24\"}")
                .body().get("Err").asText()).contains("sub-pool needs a pool");
        assertThat(docker.post("/IpamDriver.RequestPool", "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"\",\"V6\":true}")
                .body().get("Err").asText()).contains("IPv6 pools need an explicit subnet");
        assertThat(docker.post("/IpamDriver.RequestPool", "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"10.9.0.0/24\",\"V6\":true}")
                .body().get("Err").asText()).contains("not an IPv6 pool");
    }

    @Test
    void defaultPoolsAreFreeSubnetsOfTheConfiguredRangeAndTheGatewayIsTheFirstAddress() throws Exception {
        String req = "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}";
        JsonNode p1 = docker.ok("/IpamDriver.RequestPool", req);
        JsonNode p2 = docker.ok("/IpamDriver.RequestPool", req);
        IpPrefix a = IpPrefix.parse(p1.get("Pool").asText());
        IpPrefix b = IpPrefix.parse(p2.get("Pool").asText());
        assertThat(config.defaultPools().contains(a)).isTrue();
        assertThat(a.length()).isEqualTo(24);
        assertThat(a.overlaps(b)).isFalse();
        assertThat(p1.get("PoolID").asText()).isEqualTo("podnet/" + a);
        JsonNode gw = docker.ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + p1.get("PoolID").asText()
                + "\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}");
        assertThat(gw.get("Address").asText()).isEqualTo(a.address().next() + "/24");
        JsonNode ep = docker.ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + p1.get("PoolID").asText() + "\",\"Address\":\"\",\"Options\":null}");
        assertThat(ep.get("Address").asText()).isEqualTo(a.address().add(2) + "/24");
    }

    @Test
    void subnetGatewayIpRangeAndAuxAddressSurviveOurRestart() throws Exception {
        JsonNode pool = docker.ok("/IpamDriver.RequestPool", "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"10.235.0.0/24\","
                + "\"SubPool\":\"10.235.0.128/25\",\"Options\":{\"rcipamopt\":\"2\"},\"V6\":false}");
        String id = pool.get("PoolID").asText();
        assertThat(id).isEqualTo("podnet/10.235.0.0/24/10.235.0.128/25");
        assertThat(pool.get("Pool").asText()).isEqualTo("10.235.0.0/24");
        assertThat(addr(id, "10.235.0.254", "{\"RequestAddressType\":\"com.docker.network.gateway\"}")).isEqualTo("10.235.0.254/24");
        assertThat(addr(id, "10.235.0.10", "null")).isEqualTo("10.235.0.10/24");
        assertThat(addr(id, "", "null")).isEqualTo("10.235.0.128/24"); // --ip-range is the sub-pool for "any"
        assertThat(addr(id, "10.235.0.200", "null")).isEqualTo("10.235.0.200/24");
        PluginClient.Answer dup = docker.post("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"10.235.0.200\",\"Options\":null}");
        assertThat(dup.status()).isEqualTo(500);
        assertThat(dup.body().get("Err").asText()).contains("10.235.0.200");
        assertThat(docker.post("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"10.235.0.255\"}").status()).isEqualTo(500);
        PluginClient.Answer overlap = docker.post("/IpamDriver.RequestPool", "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"10.235.0.0/16\"}");
        assertThat(overlap.body().get("Err").asText()).contains("overlaps");

        restart(); // dockerd does not replay pools: the id must still work, and the reservations must still hold
        assertThat(docker.post("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"10.235.0.200\"}").status()).isEqualTo(500);
        assertThat(addr(id, "", "null")).isEqualTo("10.235.0.129/24");
        docker.ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"10.235.0.200\"}");
        docker.ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"10.235.0.200\"}"); // idempotent
        assertThat(addr(id, "10.235.0.200", "null")).isEqualTo("10.235.0.200/24");
        assertThat(server.ipam().reservations(id)).hasSize(5);
        for (String a : new String[] {"10.235.0.254", "10.235.0.10"}) {
            docker.ok("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"" + a + "\"}");
        }
        docker.ok("/IpamDriver.ReleasePool", "{\"PoolID\":\"" + id + "\"}");
        assertThat(server.ipam().reservations(id)).isEmpty();
        assertThat(server.ipam().pools()).isEmpty();
        assertThat(Files.readString(config.stateDir().resolve("pools.json"))).doesNotContain("10.235");
    }

    @Test
    void ipv6PoolsWithAnExplicitSubnet() throws Exception {
        JsonNode pool = docker.ok("/IpamDriver.RequestPool", "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"fd00:6::/64\",\"SubPool\":\"\","
                + "\"Options\":{},\"V6\":true}");
        String id = pool.get("PoolID").asText();
        assertThat(id).isEqualTo("podnet/fd00:6::/64");
        assertThat(addr(id, "", "{\"RequestAddressType\":\"com.docker.network.gateway\"}")).isEqualTo("fd00:6::1/64");
        assertThat(addr(id, "", "null")).isEqualTo("fd00:6::2/64");
        assertThat(addr(id, "fd00:6::99", "null")).isEqualTo("fd00:6::99/64");
        assertThat(docker.post("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + id + "\",\"Address\":\"fd00:6::\"}").status()).isEqualTo(500);
        restart();
        assertThat(addr(id, "", "null")).isEqualTo("fd00:6::3/64");
        docker.ok("/IpamDriver.ReleasePool", "{\"PoolID\":\"" + id + "\"}");
        assertThat(server.ipam().reservations(id)).isEmpty();
        assertThat(server.ipam().pools()).isEmpty();
    }

    @Test
    void anIdenticalOrOverlappingPoolIsRefusedAsDockersOwnIpamDoes() throws Exception {
        String req = "{\"AddressSpace\":\"podnet-local\",\"Pool\":\"10.236.0.0/24\",\"SubPool\":\"\"}";
        String id = docker.ok("/IpamDriver.RequestPool", req).get("PoolID").asText();
        for (String pool : new String[] {"10.236.0.0/24", "10.236.0.128/25", "10.236.0.0/16"}) {
            PluginClient.Answer again = docker.post("/IpamDriver.RequestPool", req.replace("10.236.0.0/24", pool));
            assertThat(again.status()).as(pool).isEqualTo(500);
            assertThat(again.body().get("Err").asText()).as(pool).startsWith("podnet: Pool overlaps with other one on this address space");
            assertThat(again.body().has("Error")).isFalse();
        }
        assertThat(server.ipam().pools()).containsOnlyKeys(id);
        docker.ok("/IpamDriver.ReleasePool", "{\"PoolID\":\"" + id + "\"}");
        assertThat(docker.ok("/IpamDriver.RequestPool", req).get("PoolID").asText()).isEqualTo(id); // free again
    }

    @Test
    void theSocketIsOnlyForRootAndHugeBodiesAreRefusedWith413() throws Exception {
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(config.socket())))
                .isEqualTo("rw-------");
        try (var s = Files.list(config.socket().getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly(config.socket().getFileName().toString());
        }
        PluginClient.Answer big = docker.post("/IpamDriver.RequestPool", "{\"Pool\":\"" + "x".repeat(CnmServer.MAX_BODY) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.body().get("Err").asText()).contains("request body larger than 1024 KiB");
        assertThat(docker.ok("/Plugin.Activate", "").get("Implements").size()).isEqualTo(2); // still serving
        // a body larger than the head reader's buffer (a CreateEndpoint with -p 8000-9000 is ~90 KiB) is read whole:
        // it used to stall until Jetty's idle timeout and fail
        StringBuilder ports = new StringBuilder();
        for (int p = 8000; p <= 9000; p++) {
            ports.append(p == 8000 ? "" : ",").append("{\"Proto\":6,\"IP\":\"\",\"Port\":").append(p)
                    .append(",\"HostIP\":\"\",\"HostPort\":").append(p).append(",\"HostPortEnd\":").append(p).append('}');
        }
        PluginClient.Answer big2 = docker.post("/NetworkDriver.CreateEndpoint", "{\"NetworkID\":\"nope\",\"EndpointID\":\"e1\","
                + "\"Interface\":{\"Address\":\"10.1.0.2/24\"},\"Options\":{\"com.docker.network.portmap\":[" + ports + "]}}");
        assertThat(big2.status()).isEqualTo(500);
        assertThat(big2.body().get("Err").asText()).contains("network nope");
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        node.close();
        node = null;
        Files.createFile(config.socket());
        node = TestNode.fake(config, host);
        server = node.server();
        assertThat(docker.ok("/Plugin.Activate", "").get("Implements").size()).isEqualTo(2);
    }

    private String addr(String pool, String address, String options) throws Exception {
        return docker.ok("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + pool + "\",\"Address\":\"" + address + "\",\"Options\":" + options + "}")
                .get("Address").asText();
    }
}
