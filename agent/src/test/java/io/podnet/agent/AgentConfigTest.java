package io.podnet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's YAML config: every documented field, defaults, and errors that name the field. */
class AgentConfigTest {
    @TempDir Path dir;

    private AgentConfig load(String yaml) throws IOException {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, yaml);
        return AgentConfig.load(f);
    }

    @Test
    void everyFieldIsRead() throws IOException {
        AgentConfig c = load("""
                nodeName: n1
                stateDir: /tmp/podnet-state
                cniSocket: /tmp/podnet.sock
                etcd:
                  endpoints: [http://127.0.0.1:2379, http://127.0.0.2:2379]
                  caFile: /ca.pem
                  certFile: /cert.pem
                  keyFile: /key.pem
                  username: u
                  password: p
                  client: grpc
                overlay:
                  enabled: true
                  prefix: /x/network
                  publicIp: 192.0.2.1
                  interface: eth1
                  subnetFile: /tmp/subnet.env
                  ipMasq: false
                  udpOffloads: false
                cnm:
                  enabled: true
                  socket: /run/docker/plugins/pn.sock
                  stateDir: /tmp/cnm
                  defaultPools: 10.200.0.0/16
                  poolLength: 26
                  ipMasq: false
                """);
        assertThat(c.nodeName()).isEqualTo("n1");
        assertThat(c.stateDir()).isEqualTo(Path.of("/tmp/podnet-state"));
        assertThat(c.cniSocket()).isEqualTo(Path.of("/tmp/podnet.sock"));
        assertThat(c.etcd().endpoints()).containsExactly(URI.create("http://127.0.0.1:2379"), URI.create("http://127.0.0.2:2379"));
        assertThat(c.etcd().username()).isEqualTo("u");
        assertThat(c.etcd().etcdClient()).isEqualTo(io.podnet.datastore.etcd.EtcdClient.GRPC);
        assertThat(c.overlay().iface()).isEqualTo("eth1");
        assertThat(c.overlay().ipMasq()).isFalse();
        assertThat(c.overlay().udpOffloads()).isFalse();
        assertThat(c.cnmEnabled()).isTrue();
        var cnm = Agent.cnmConfig(c);
        assertThat(cnm.socket()).isEqualTo(Path.of("/run/docker/plugins/pn.sock"));
        assertThat(cnm.stateDir()).isEqualTo(Path.of("/tmp/cnm"));
        assertThat(cnm.defaultPools().toString()).isEqualTo("10.200.0.0/16");
        assertThat(cnm.defaultPoolLength()).isEqualTo(26);
        assertThat(cnm.ipMasq()).isFalse();
    }

    @Test
    void defaults() throws IOException {
        AgentConfig c = load("cnm: {enabled: true}\n");
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/podnet"));
        assertThat(c.cniSocket()).isEqualTo(Path.of("/run/podnet/cni.sock"));
        assertThat(c.overlayEnabled()).isFalse();
        var cnm = Agent.cnmConfig(c);
        assertThat(cnm.socket()).isEqualTo(Path.of("/run/docker/plugins/podnet.sock"));
        assertThat(cnm.stateDir()).isEqualTo(Path.of("/var/lib/podnet/cnm"));
        assertThat(cnm.defaultPoolLength()).isEqualTo(24);
        assertThat(AgentConfig.defaults().cnmEnabled()).isFalse();
    }

    @Test
    void unknownFieldIsNamed() {
        assertThatThrownBy(() -> load("overlay:\n  enabled: true\n  backend: vxlan\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown field \"backend\"");
    }

    @Test
    void theEtcdClientIsHttpUnlessSaidAndABadOneIsNamed() throws IOException {
        assertThat(load("etcd: {endpoints: [http://127.0.0.1:2379]}\n").etcd().etcdClient())
                .isEqualTo(io.podnet.datastore.etcd.EtcdClient.HTTP);
        assertThatThrownBy(() -> load("etcd: {endpoints: [http://127.0.0.1:2379], client: thrift}\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("etcd.client must be http or grpc, not \"thrift\"");
    }

    @Test
    void overlayNeedsEtcd() {
        assertThatThrownBy(() -> load("overlay: {enabled: true}\n"))
                .hasMessageContaining("overlay.enabled needs etcd.endpoints");
    }

    @Test
    void anIncompleteTlsConfigIsRefusedNamingTheMissingField() {
        assertThatThrownBy(() -> load("etcd: {endpoints: [https://127.0.0.1:2379], caFile: /ca.pem, certFile: /cert.pem}\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("etcd.keyFile is missing");
        assertThatThrownBy(() -> load("etcd: {endpoints: [https://127.0.0.1:2379], caFile: /ca.pem, keyFile: /key.pem}\n"))
                .hasMessageContaining("etcd.certFile is missing");
        assertThatThrownBy(() -> load("etcd: {endpoints: [https://127.0.0.1:2379], certFile: /c.pem, keyFile: /k.pem}\n"))
                .hasMessageContaining("etcd.caFile is missing");
        assertThatThrownBy(() -> load("etcd: {endpoints: [http://127.0.0.1:2379], password: p}\n"))
                .hasMessageContaining("etcd.username is missing");
    }

    @Test
    void otherEndpointsKeepTheTlsAndAuthSettings() throws IOException {
        AgentConfig c = load("etcd: {endpoints: [https://10.0.0.1:2379], caFile: /ca.pem, certFile: /c.pem, keyFile: /k.pem, username: u, password: p}\n")
                .withEtcdEndpoints(java.util.List.of(URI.create("https://127.0.0.1:2379")));
        assertThat(c.etcd().endpoints()).containsExactly(URI.create("https://127.0.0.1:2379"));
        assertThat(c.etcd().caFile()).isEqualTo(Path.of("/ca.pem"));
        assertThat(c.etcd().certFile()).isEqualTo(Path.of("/c.pem"));
        assertThat(c.etcd().keyFile()).isEqualTo(Path.of("/k.pem"));
        assertThat(c.etcd().username()).isEqualTo("u");
        assertThat(c.etcd().password()).isEqualTo("p");
        assertThat(AgentConfig.defaults().withEtcdEndpoints(java.util.List.of(URI.create("http://a:1"))).etcd().caFile()).isNull();
    }
}
