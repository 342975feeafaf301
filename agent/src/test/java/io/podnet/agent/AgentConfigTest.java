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
    void calicoIpamFieldsOverlayCalicoNodesEnvironment() throws IOException {
        AgentConfig c = load("etcd: {endpoints: [http://127.0.0.1:2379]}\ncalicoIpam:\n  enabled: true\n  nodeLabels: {zone: a}\n"
                + "  ipv4Pool: {cidr: 10.48.0.0/16, ipip: Always}\n  leakGraceSeconds: 60\n");
        assertThat(c.calicoIpamEnabled()).isTrue();
        assertThat(c.calicoIpam().prefix()).isEqualTo("/calico");
        assertThat(c.calicoIpam().nodeLabels()).containsEntry("zone", "a");
        var settings = c.calicoIpam().poolSettings(java.util.Map.of("CALICO_IPV4POOL_CIDR", "10.1.0.0/16",
                "CALICO_IPV4POOL_BLOCK_SIZE", "24", "CALICO_IPV6POOL_CIDR", "fd00::/48", "PATH", "/bin"));
        assertThat(settings).containsEntry("CALICO_IPV4POOL_CIDR", "10.48.0.0/16").containsEntry("CALICO_IPV4POOL_IPIP", "Always")
                .containsEntry("CALICO_IPV4POOL_BLOCK_SIZE", "24").containsEntry("CALICO_IPV6POOL_CIDR", "fd00::/48").doesNotContainKey("PATH");
        var boot = io.podnet.ipam.cluster.PoolBootstrap.from(settings);
        assertThat(boot.v4().orElseThrow().spec().blockSize()).isEqualTo(24);
        assertThat(boot.v4().orElseThrow().spec().ipipMode()).isEqualTo(io.podnet.calico.IpPool.EncapMode.ALWAYS);
        assertThat(boot.v4().orElseThrow().spec().natOutgoing()).isTrue();
        assertThat(boot.v6().orElseThrow().spec().blockSize()).isEqualTo(122);
        assertThatThrownBy(() -> io.podnet.ipam.cluster.PoolBootstrap.from(java.util.Map.of("CALICO_IPV4POOL_VXLAN", "sometimes")))
                .hasMessageContaining("CALICO_IPV4POOL_VXLAN: \"sometimes\" is not one of Never, Always, CrossSubnet");
        assertThat(io.podnet.ipam.cluster.PoolBootstrap.from(java.util.Map.of()).v4().orElseThrow().spec().cidr()).isEqualTo("192.168.0.0/16");
    }

    @Test
    void routedFieldsDefaultsAndErrorsThatNameTheField() throws IOException {
        String base = "etcd: {endpoints: [http://127.0.0.1:2379]}\ncalicoIpam: {enabled: true}\n";
        AgentConfig c = load(base + """
                routed:
                  enabled: true
                  ip: 192.168.200.1/24
                  ipAutodetectionMethod: interface=eth.*
                  asNumber: 65001
                  listenPort: 1179
                  nodeToNodeMesh: false
                  mtu: 1400
                  gracefulRestartSeconds: 30
                """);
        assertThat(c.routedEnabled()).isTrue();
        assertThat(c.routed()).isEqualTo(new AgentConfig.Routed(true, "192.168.200.1/24", "interface=eth.*", 65001L, 1179, false, 1400, 30));
        assertThat(c.routed().cidr().orElseThrow().toString()).isEqualTo("192.168.200.1/24");
        AgentConfig d = load(base + "routed: {enabled: true}\n");
        assertThat(d.routed()).isEqualTo(new AgentConfig.Routed(true, null, "first-found", 64512L, 179, true, 0, 120));
        assertThat(d.routed().cidr()).isEmpty();
        assertThatThrownBy(() -> load("routed: {enabled: true}\n")).hasMessageContaining("routed.enabled needs calicoIpam.enabled");
        assertThatThrownBy(() -> load(base + "routed: {enabled: true, ipAutodetectionMethod: \"nic=eth0\"}\n"))
                .hasMessageContaining("routed.ipAutodetectionMethod: \"nic=eth0\": unknown method \"nic\"");
        assertThatThrownBy(() -> load(base + "routed: {enabled: true, ip: fd00::1/64}\n")).hasMessageContaining("routed.ip must be an IPv4 address");
        assertThatThrownBy(() -> load(base + "routed: {enabled: true, asNumber: 0}\n")).hasMessageContaining("routed.asNumber must be 1..4294967295");
        assertThatThrownBy(() -> load(base + "routed: {enabled: true, listenPort: 70000}\n")).hasMessageContaining("routed.listenPort");
        assertThatThrownBy(() -> load(base + "routed: {enabled: true, gracefulRestartSeconds: 5000}\n"))
                .hasMessageContaining("routed.gracefulRestartSeconds must be 1..4095");
    }

    @Test
    void calicoIpamNeedsEtcd() {
        assertThatThrownBy(() -> load("calicoIpam: {enabled: true}\n")).hasMessageContaining("calicoIpam.enabled needs etcd.endpoints");
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
