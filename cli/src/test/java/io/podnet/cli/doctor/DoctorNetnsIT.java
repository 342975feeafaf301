package io.podnet.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cli.Main;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.rtnetlink.NetNs;
import io.podnet.testkit.EtcdServer;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/**
 * {@code podnet doctor} on a real kernel: a throwaway node namespace wired like an overlay node (eth0 to a
 * peer node namespace, flannel.1, cni0 with one pod), private files under a temporary root, a throwaway etcd
 * with the overlay config and leases. Each test seeds one fault, asserts the finding, and undoes it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DoctorNetnsIT {
    Netns node;
    Netns peer;
    Netns pod;
    EtcdServer etcd;
    Path root;
    ServerSocketChannel agent;

    @BeforeAll
    void setUp() throws Exception {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Assumptions.assumeTrue(Sh.has("etcd"), "needs etcd-server (installed by run-tests)");
        node = Netns.create("dn");
        peer = Netns.create("dp");
        pod = Netns.create("dq");
        String n = node.name();
        Sh.check("ip", "-n", n, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", peer.name());
        Sh.check("ip", "-n", n, "addr", "add", "192.0.2.1/24", "dev", "eth0");
        Sh.check("ip", "-n", peer.name(), "addr", "add", "192.0.2.2/24", "dev", "eth0");
        Sh.check("ip", "-n", n, "link", "set", "eth0", "up");
        Sh.check("ip", "-n", peer.name(), "link", "set", "eth0", "up");
        Sh.check("ip", "-n", n, "link", "add", "flannel.1", "type", "vxlan", "id", "1", "dev", "eth0", "local", "192.0.2.1", "dstport", "8472", "nolearning");
        Sh.check("ip", "-n", n, "link", "set", "flannel.1", "mtu", "1450", "up");
        Sh.check("ip", "-n", n, "addr", "add", "10.244.1.0/32", "dev", "flannel.1");
        Sh.check("ip", "-n", n, "route", "add", "10.244.2.0/24", "via", "10.244.2.0", "dev", "flannel.1", "onlink", "proto", "98");
        Sh.check("ip", "-n", n, "link", "add", "cni0", "mtu", "1450", "type", "bridge");
        Sh.check("ip", "-n", n, "addr", "add", "10.244.1.1/24", "dev", "cni0");
        Sh.check("ip", "-n", n, "link", "set", "cni0", "up");
        Sh.check("ip", "-n", n, "link", "add", "pnvdoc", "mtu", "1450", "type", "veth", "peer", "name", "eth0", "netns", pod.name());
        Sh.check("ip", "-n", n, "link", "set", "pnvdoc", "master", "cni0", "up");
        Sh.check("ip", "-n", pod.name(), "link", "set", "eth0", "mtu", "1450", "up");
        sysctl(node, "net.ipv4.ip_forward=1");

        root = Files.createTempDirectory(RunId.prefix() + "doctor");
        Files.createDirectories(root.resolve("run/flannel"));
        Files.createDirectories(root.resolve("etc/cni/net.d"));
        Files.createDirectories(root.resolve("run/podnet"));
        writeSubnetEnv("10.244.1.1/24");
        Files.writeString(root.resolve("etc/cni/net.d/10-podnet.conflist"),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"pods\",\"plugins\":[{\"type\":\"podnet-flannel\",\"delegate\":{\"hairpinMode\":true}}]}");
        agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        agent.bind(UnixDomainSocketAddress.of(root.resolve("run/podnet/cni.sock")));

        etcd = EtcdServer.launch();
        etcd.etcdctl("put", "/coreos.com/network/config", "{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
        etcd.etcdctl("put", "/coreos.com/network/subnets/10.244.1.0-24", "{\"PublicIP\":\"192.0.2.1\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:01\"}}");
        etcd.etcdctl("put", "/coreos.com/network/subnets/10.244.2.0-24", "{\"PublicIP\":\"192.0.2.2\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:02\"}}");
    }

    @AfterAll
    void tearDown() throws Exception {
        if (agent != null) agent.close();
        if (etcd != null) etcd.close();
        for (Netns x : new Netns[] {pod, peer, node}) if (x != null) x.close();
        if (root != null) {
            try (var files = Files.walk(root)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    static void sysctl(Netns ns, String kv) {
        Sh.check("ip", "netns", "exec", ns.name(), "sysctl", "-q", "-w", kv);
    }

    void writeSubnetEnv(String subnet) throws Exception {
        Files.writeString(root.resolve("run/flannel/subnet.env"), "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=" + subnet + "\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n");
    }

    List<Finding> doctor() throws Exception {
        NodeFacts f = DoctorReader.read(new DoctorReader.Where(NetNs.named(node.name()), "n1", root.resolve("run/flannel/subnet.env"),
                root.resolve("etc/cni/net.d"), root.resolve("run/podnet/cni.sock"), Optional.empty(),
                Optional.of(() -> EtcdDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())))), "/coreos.com/network", true));
        return Doctor.run(f);
    }

    List<Finding> problems() throws Exception {
        return doctor().stream().filter(x -> x.severity() != Finding.Severity.OK).toList();
    }

    @Test
    void aHealthyNodeHasNoProblemsAndTheCommandExitsZero() throws Exception {
        assertThat(problems()).isEmpty();
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        int code = cl.execute("doctor", "--node-ns", "/run/netns/" + node.name(), "--root", root.toString(), "--etcd-endpoints", etcd.clientUrl().toString());
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("ok    forwarding").contains("ok    mtu          eth0 1500, flannel.1 1450").contains("no problems found");
    }

    @Test
    void underlayMtuTooSmallForTheTunnelAndAMismatchedVethPair() throws Exception {
        Sh.check("ip", "-n", node.name(), "link", "set", "eth0", "mtu", "1400");
        Sh.check("ip", "-n", pod.name(), "link", "set", "eth0", "mtu", "1500");
        try {
            List<Finding> p = problems();
            assertThat(p).anySatisfy(f -> assertThat(f.message()).contains("flannel.1 (vxlan) has MTU 1450, more than eth0's 1400 − 50"));
            assertThat(p).anySatisfy(f -> {
                assertThat(f.message()).contains("veth pair pnvdoc (MTU 1450) ↔ eth0 in " + pod.name() + " (MTU 1500)");
                assertThat(f.fix().orElse("")).contains("ip netns exec " + pod.name() + " ip link set dev eth0 mtu 1350");
            });
        } finally {
            Sh.check("ip", "-n", node.name(), "link", "set", "eth0", "mtu", "1500");
            Sh.check("ip", "-n", pod.name(), "link", "set", "eth0", "mtu", "1450");
        }
    }

    @Test
    void forwardingOff() throws Exception {
        sysctl(node, "net.ipv4.ip_forward=0");
        try {
            assertThat(problems()).anySatisfy(f -> {
                assertThat(f.check()).isEqualTo("forwarding");
                assertThat(f.fix().orElse("")).contains("ip netns exec " + node.name() + " sysctl -w net.ipv4.ip_forward=1");
            });
        } finally {
            sysctl(node, "net.ipv4.ip_forward=1");
        }
    }

    @Test
    void missingAndStaleSubnetEnv() throws Exception {
        Files.delete(root.resolve("run/flannel/subnet.env"));
        try {
            assertThat(problems()).anySatisfy(f -> assertThat(f.message()).contains("subnet.env is missing").contains("no such file"));
            writeSubnetEnv("10.244.7.1/24");
            assertThat(problems()).anySatisfy(f -> assertThat(f.message()).contains("is stale: it says 10.244.7.0/24 but this node's lease is 10.244.1.0/24"))
                    .anySatisfy(f -> assertThat(f.message()).contains("cni0 has 10.244.1.1/24, outside FLANNEL_SUBNET 10.244.7.1/24"));
        } finally {
            writeSubnetEnv("10.244.1.1/24");
        }
    }

    @Test
    void aLeaseOfANodeThatIsGoneAndABlockOfAnUnregisteredNode() throws Exception {
        etcd.etcdctl("put", "/coreos.com/network/subnets/10.244.3.0-24", "{\"PublicIP\":\"192.0.2.99\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:63\"}}");
        etcd.etcdctl("put", "/calico/resources/v3/projectcalico.org/nodes/n1", "{}");
        etcd.etcdctl("put", "/calico/ipam/v2/host/ghost/ipv4/block/10.250.0.0-26", "{\"state\":\"confirmed\"}");
        try {
            List<Finding> p = problems();
            assertThat(p).anySatisfy(f -> {
                assertThat(f.message()).contains("lease 10.244.3.0/24 is held by 192.0.2.99, which does not answer");
                assertThat(f.fix().orElse("")).isEqualTo("etcdctl del /coreos.com/network/subnets/10.244.3.0-24");
            });
            assertThat(p).noneMatch(f -> f.message().contains("192.0.2.2")); // the live peer answers
            assertThat(p).anySatisfy(f -> assertThat(f.message()).contains("IPAM block 10.250.0.0/26 is affine to ghost, which is not a registered node"));
        } finally {
            etcd.etcdctl("del", "/coreos.com/network/subnets/10.244.3.0-24");
            etcd.etcdctl("del", "--prefix", "/calico/");
        }
    }

    @Test
    void strictRpFilterOnTheTunnelWithoutAReturnRoute() throws Exception {
        sysctl(node, "net.ipv4.conf.flannel/1.rp_filter=1");
        Sh.check("ip", "-n", node.name(), "route", "del", "10.244.2.0/24");
        try {
            assertThat(problems()).anySatisfy(f -> {
                assertThat(f.message()).contains("rp_filter=1 (strict) on flannel.1 drops what arrives there from 10.244.2.0/24: the route back does not exist");
                assertThat(f.fix().orElse("")).contains("net.ipv4.conf.flannel/1.rp_filter=2");
            });
            Sh.check("ip", "-n", node.name(), "route", "add", "10.244.2.0/24", "via", "10.244.2.0", "dev", "flannel.1", "onlink", "proto", "98");
            assertThat(problems()).noneMatch(f -> f.check().equals("rp_filter"));
        } finally {
            sysctl(node, "net.ipv4.conf.flannel/1.rp_filter=0");
            Sh.run("ip", "-n", node.name(), "route", "replace", "10.244.2.0/24", "via", "10.244.2.0", "dev", "flannel.1", "onlink", "proto", "98");
        }
    }

    @Test
    void aForeignConfigSortedFirstShadowsOurs() throws Exception {
        Path other = root.resolve("etc/cni/net.d/05-containerd-net.conflist");
        Files.writeString(other, "{\"cniVersion\":\"1.0.0\",\"name\":\"containerd-net\",\"plugins\":[{\"type\":\"bridge\"},{\"type\":\"portmap\"}]}");
        try {
            assertThat(problems()).singleElement().satisfies(f -> {
                assertThat(f.check()).isEqualTo("cni-config");
                assertThat(f.message()).contains("05-containerd-net.conflist (network \"containerd-net\", plugins bridge, portmap) sorts before podnet's 10-podnet.conflist");
            });
        } finally {
            Files.delete(other);
        }
    }

    @Test
    void noAgentOrAStaleSocket() throws Exception {
        agent.close();
        try {
            assertThat(problems()).anySatisfy(f -> assertThat(f.message()).contains("exists but nobody accepts on it"));
            Files.delete(root.resolve("run/podnet/cni.sock"));
            assertThat(problems()).anySatisfy(f -> assertThat(f.message()).contains("no agent socket at").contains("code 11"));
        } finally {
            Files.deleteIfExists(root.resolve("run/podnet/cni.sock"));
            agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            agent.bind(UnixDomainSocketAddress.of(root.resolve("run/podnet/cni.sock")));
        }
    }
}
