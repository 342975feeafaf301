package io.podnet.bgp.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.speaker.PeerConfig;
import java.time.Duration;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BgpConfigTest {
    static final String RR = """
            {
              "asn": 64512, "routerId": "10.0.0.1", "clusterId": "10.0.0.1", "listen": "10.0.0.1:179",
              "holdTime": 30, "gracefulRestartSeconds": 0, "routes": ["10.244.0.0/16"], "memoryLimit": 0.8,
              "peers": [
                {"address": "10.0.0.2", "asn": 64512, "rrClient": true, "passive": true, "password": "s3cret",
                 "maxPrefixes": 1000, "maxPrefixesRestartSeconds": 300},
                {"address": "fd00::3", "asn": 65003, "families": ["ipv6-unicast"], "nextHopSelf": true, "multihop": true}
              ]
            }
            """;

    @Test
    void parsesARouteReflectorConfiguration() {
        BgpConfig c = BgpConfig.parse(RR);
        assertThat(c.speaker().asn()).isEqualTo(64512);
        assertThat(c.speaker().clusterId()).contains(IpAddress.parse("10.0.0.1"));
        assertThat(c.speaker().gracefulRestart()).isEmpty();
        assertThat(c.speaker().holdTime()).isEqualTo(30);
        assertThat(c.routes()).containsExactly(IpPrefix.parse("10.244.0.0/16"));
        assertThat(c.peers()).hasSize(2);
        assertThat(c.peers().get(0).password()).contains("s3cret");
        assertThat(c.peers().get(0).rrClient()).isTrue();
        assertThat(c.peers().get(1).families()).containsExactly(AfiSafi.IPV6_UNICAST);
        assertThat(c.peers().get(0).prefixLimit()).contains(new PeerConfig.PrefixLimit(1000, Duration.ofSeconds(300)));
        assertThat(c.peers().get(1).prefixLimit()).isEmpty();
        assertThat(c.peers().get(1).multihop()).isTrue();
        assertThat(c.peers().get(0).multihop()).isFalse();
        assertThat(c.memoryLimit()).isEqualTo(0.8);
        assertThat(BgpConfig.parse("{\"asn\": 1, \"routerId\": \"1.1.1.1\"}").memoryLimit()).isEqualTo(BgpConfig.DEFAULT_MEMORY_LIMIT);
    }

    @Test
    void prefixLimitsAndTheMemoryLimitAreValidated() {
        String peer = "{\"asn\": 1, \"routerId\": \"1.1.1.1\", \"peers\": [{\"address\": \"1.1.1.2\", \"asn\": 2, %s}]}";
        assertThat(BgpConfig.parse(peer.formatted("\"maxPrefixes\": 5")).peers().getFirst().prefixLimit())
                .contains(new PeerConfig.PrefixLimit(5, Duration.ofSeconds(BgpConfig.DEFAULT_PREFIX_RESTART_SECONDS)));
        assertThatThrownBy(() -> BgpConfig.parse(peer.formatted("\"maxPrefixes\": 0"))).hasMessageContaining("\"maxPrefixes\" must be");
        assertThatThrownBy(() -> BgpConfig.parse(peer.formatted("\"maxPrefixesRestartSeconds\": 5"))).hasMessageContaining("needs \"maxPrefixes\"");
        assertThatThrownBy(() -> BgpConfig.parse("{\"asn\": 1, \"routerId\": \"1.1.1.1\", \"memoryLimit\": 2}"))
                .hasMessageContaining("\"memoryLimit\" must be between 0 (off) and 1");
    }

    @Test
    void typosAndBadValuesFailWithAClearMessage() {
        assertThatThrownBy(() -> BgpConfig.parse("{\"asn\": 1, \"routerId\": \"1.1.1.1\", \"peerz\": []}"))
                .hasMessageContaining("unknown top level key \"peerz\"");
        assertThatThrownBy(() -> BgpConfig.parse("{\"asn\": \"x\", \"routerId\": \"1.1.1.1\"}"))
                .hasMessageContaining("\"asn\" must be an integer");
        assertThatThrownBy(() -> BgpConfig.parse("{\"asn\": 1,")).hasMessageContaining("JSON");
    }

    @Test
    void mainRejectsABadConfigurationWithExitCode2(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"asn\": 0, \"routerId\": \"1.1.1.1\"}");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = BgpMain.run(new String[] {"--config", f.toString()}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString()).contains("bad configuration").contains("AS out of range");
    }
}
