package io.podnet.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.config.Json;
import io.podnet.cni.config.NetworkConfigList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkConfigListTest {

    static final String PODMAN = """
            {"cniVersion":"0.4.0","name":"rcnet","plugins":[
              {"type":"bridge","bridge":"cni-podman1","isGateway":true,"ipMasq":true,"hairpinMode":true,
               "ipam":{"type":"host-local","routes":[{"dst":"0.0.0.0/0"}],"ranges":[[{"subnet":"10.232.1.0/24","gateway":"10.232.1.1"}]]}},
              {"type":"portmap","capabilities":{"portMappings":true}},
              {"type":"firewall","backend":""},{"type":"tuning"}]}""";

    @Test
    void parsesAPodmanConflistAndBuildsPerPluginStdin() throws Exception {
        NetworkConfigList l = NetworkConfigList.parseList(PODMAN.getBytes());
        assertThat(l.name()).isEqualTo("rcnet");
        assertThat(l.plugins()).extracting(p -> p.type()).containsExactly("bridge", "portmap", "firewall", "tuning");
        assertThat(l.negotiatedVersion()).contains(CniVersion.V0_4_0);
        var pm = Json.MAPPER.readTree("[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]");
        var inv = l.invocationConfig(1, CniVersion.V0_4_0, Map.of("portMappings", pm, "mac", Json.MAPPER.readTree("\"x\"")),
                Optional.of(Json.MAPPER.readTree("{\"cniVersion\":\"0.4.0\"}")));
        assertThat(inv.get("name").asText()).isEqualTo("rcnet");
        assertThat(inv.has("capabilities")).isFalse();
        assertThat(inv.get("runtimeConfig").has("portMappings")).isTrue();
        assertThat(inv.get("runtimeConfig").has("mac")).isFalse();
        assertThat(inv.has("prevResult")).isTrue();
        assertThat(l.invocationConfig(0, CniVersion.V0_4_0, Map.of("portMappings", pm), Optional.empty()).has("runtimeConfig")).isFalse();
    }

    @Test
    void cniVersionsListSelectsTheHighestSupported() throws Exception {
        var l = NetworkConfigList.parseList("{\"cniVersion\":\"0.3.1\",\"cniVersions\":[\"1.0.0\",\"1.1.0\",\"9.9.9\"],\"name\":\"n\",\"plugins\":[{\"type\":\"podnet\"}]}".getBytes());
        assertThat(l.negotiatedVersion()).contains(CniVersion.V1_1_0);
    }

    @Test
    void loadsSingleConfFilesAsOneElementLists(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("10-x.conf");
        Files.writeString(f, "{\"cniVersion\":\"0.3.1\",\"name\":\"x\",\"type\":\"bridge\",\"bridge\":\"br9\"}");
        var l = NetworkConfigList.load(f);
        assertThat(l.plugins()).singleElement().satisfies(p -> assertThat(p.raw().get("bridge").asText()).isEqualTo("br9"));
    }

    @Test
    void invalidListsAreCode7NamingTheField() {
        assertThatThrownBy(() -> NetworkConfigList.parseList("{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"x\"}]}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.code()).isEqualTo(7);
                    assertThat(e.msg()).contains("name");
                });
        assertThatThrownBy(() -> NetworkConfigList.parseList("{\"name\":\"-bad\",\"plugins\":[{\"type\":\"x\"}]}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.msg()).contains("name"));
        assertThatThrownBy(() -> NetworkConfigList.parseList("{\"name\":\"n\",\"plugins\":[{\"type\":\"x\"},{\"bridge\":\"b\"}]}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.msg()).contains("plugins[1].type"));
        assertThatThrownBy(() -> NetworkConfigList.parseList("{\"name\":\"n\",\"plugins\":[{\"type\":\"../x\"}]}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(7));
        assertThatThrownBy(() -> NetworkConfigList.parseList("{\"name\":\"n\",\"plugins\":[]}".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.msg()).contains("plugins"));
        assertThatThrownBy(() -> NetworkConfigList.parseList("{\"name\":".getBytes()))
                .isInstanceOfSatisfying(CniException.class, e -> assertThat(e.code()).isEqualTo(6));
    }
}
