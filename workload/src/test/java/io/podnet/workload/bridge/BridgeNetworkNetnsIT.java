package io.podnet.workload.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.dataplane.NamespaceSandboxes;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class BridgeNetworkNetnsIT {
    static final IpAddress GW4 = IpAddress.parse("10.88.0.1");
    static final IpAddress GW6 = IpAddress.parse("fd00:88::1");

    static Attachment pod(Netns ns, String cid, int n) {
        return new Attachment(NetNs.named(ns.name()), "eth0", cid,
                List.of(new Attachment.IpConfig(Cidr.parse("10.88.0." + n + "/24"), Optional.of(GW4)),
                        new Attachment.IpConfig(Cidr.parse("fd00:88::" + n + "/64"), Optional.of(GW6))),
                List.of(new Attachment.RouteSpec(IpPrefix.parse("10.99.0.0/16"), Optional.empty())), Optional.empty());
    }

    static NodeDataplane dataplane(Netns host) throws Exception {
        NodeDataplane dp = NodeDataplane.open(NetNs.named(host.name()), NodeDataplane.Config.DEFAULT, 2, 2);
        dp.start();
        return dp;
    }

    static BridgeNetwork network(NodeDataplane dp, String name, BridgeConfig cfg) {
        return new BridgeNetwork(new NodeBridge(name, cfg, true, dp), dp.kernel(), new NamespaceSandboxes(dp.workers().orElseThrow()));
    }

    static List<IpPrefix> subnets() { return List.of(IpPrefix.parse("10.88.0.0/24"), IpPrefix.parse("fd00:88::/64")); }

    @Test
    void podsOnOneBridgePingEachOtherAndTheGatewayOverV4AndV6(Netns host, Netns p1, Netns p2) throws Exception {
        try (var dp = dataplane(host)) {
            var net = network(dp, "n1", new BridgeConfig("pnbr0", 1400, true, true, true, false));
            Attachment a1 = pod(p1, "c1", 11);
            Attachment a2 = new Attachment(NetNs.named(p2.name()), "eth0", "c2", pod(p2, "c2", 12).ips(), List.of(),
                    Optional.of(MacAddress.parse("02:42:0a:58:00:0c")));
            net.node().join(BridgeNetwork.gateways(a1), subnets());
            BridgeNetwork.Attached r1 = net.attach(a1);
            net.attach(a2);
            assertThat(r1.hostVeth()).startsWith("pnv").hasSize(14);
            assertThat(r1.mtu()).isEqualTo(1400);
            assertThat(r1.bridgeMac()).contains(NodeBridge.bridgeMac("pnbr0"));
            assertThat(Sh.ipJson(host.name(), "link", "show", "pnbr0").get(0).get("address").asText()).isEqualTo(NodeBridge.bridgeMac("pnbr0").toString());
            assertThat(Sh.ipJson(p2.name(), "link", "show", "eth0").get(0).get("address").asText()).isEqualTo("02:42:0a:58:00:0c");
            assertThat(Sh.ipJson(host.name(), "link", "show", r1.hostVeth()).get(0).get("master").asText()).isEqualTo("pnbr0");
            assertThat(Sh.ipJson(p1.name(), "route", "show", "default").get(0).get("gateway").asText()).isEqualTo("10.88.0.1");
            assertThat(Sh.ipJson(p1.name(), "route", "show", "10.99.0.0/16").get(0).get("gateway").asText()).isEqualTo("10.88.0.1");
            assertThat(p1.ping("10.88.0.12")).isTrue();
            assertThat(p1.ping("10.88.0.1")).isTrue();
            assertThat(p2.ping("fd00:88::11")).isTrue();
            assertThat(net.check(a1)).isEmpty();

            // a second ADD for the same interface is refused and changes nothing
            assertThatThrownBy(() -> net.attach(a1)).isInstanceOf(BridgeNetwork.InterfaceExistsException.class);
            assertThat(p1.ping("10.88.0.12")).isTrue();

            // the bridge deleted by hand: the node recreates it within 2 s (link event) and its ports return
            Sh.ip(host.name(), "link", "del", "pnbr0");
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!p1.ping("10.88.0.12") && System.nanoTime() < deadline) Thread.onSpinWait();
            assertThat(p1.ping("10.88.0.12")).as("pods talk again through the recreated bridge").isTrue();

            net.detach(a1);
            net.detach(a1); // repeated DEL succeeds
            assertThat(net.check(a1)).isNotEmpty();
            assertThat(Sh.ipJson(host.name(), "link", "show").toString()).doesNotContain(r1.hostVeth());
            assertThat(Sh.ipJson(p1.name(), "link", "show").toString()).doesNotContain("eth0");
            net.detach(a2);
            net.node().leave();
            assertThat(dp.awaitInSync(java.time.Duration.ofSeconds(10))).isTrue();
            assertThat(Sh.ipJson(host.name(), "link", "show").toString()).as("the last endpoint takes the bridge along").doesNotContain("pnbr0");
        }
    }

    @Test
    void detachSucceedsWhenTheSandboxIsGone(Netns host) throws Exception {
        try (var dp = dataplane(host)) {
            var net = network(dp, "n2", new BridgeConfig("pnbr1", 0, true, false, false, false));
            Netns gone = Netns.create("gone");
            Attachment a = pod(gone, "c9", 9);
            net.node().join(BridgeNetwork.gateways(a), subnets());
            String veth = net.attach(a).hostVeth();
            gone.close();
            net.detach(a);
            assertThat(Sh.ipJson(host.name(), "link", "show").toString()).doesNotContain(veth);
        }
    }

    @Test
    void hostSysctlsAndMasqueradeOfTheBridgeIgnoreTheCallersNamespace(Netns host, Netns pod) throws Exception {
        Sh.check("ip", "netns", "exec", host.name(), "sysctl", "-qw", "net.ipv4.ip_forward=0");
        Sh.check("ip", "netns", "exec", pod.name(), "sysctl", "-qw", "net.ipv4.ip_forward=0");
        try (var dp = dataplane(host)) {
            var net = network(dp, "n3", new BridgeConfig("pnbr3", 0, true, false, false, true));
            Namespaces.runIn(NetNs.named(pod.name()), () -> { // the joining thread sits in the pod
                net.node().join(List.of(Cidr.parse("10.87.0.1/24")), List.of(IpPrefix.parse("10.87.0.0/24")));
                return null;
            });
            assertThat(host.exec("sysctl", "-n", "net.ipv4.ip_forward").check().out().strip()).isEqualTo("1");
            assertThat(pod.exec("sysctl", "-n", "net.ipv4.ip_forward").check().out().strip()).isEqualTo("0");
            assertThat(host.exec("sysctl", "-n", "net.ipv6.conf.pnbr3.accept_ra").check().out().strip()).isEqualTo("0");
            assertThat(host.exec("nft", "list", "table", "inet", "podnet").check().out()).contains("ip saddr 10.87.0.0/24").contains("masquerade");
            assertThat(pod.exec("nft", "list", "tables").check().out()).doesNotContain("podnet");
            net.node().leave();
            assertThat(dp.awaitInSync(java.time.Duration.ofSeconds(10))).isTrue();
            assertThat(host.exec("nft", "list", "tables").check().out()).doesNotContain("podnet");
        }
    }
}
