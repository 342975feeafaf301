package io.podnet.workload.routed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.net.Cidr;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.dataplane.NamespaceSandboxes;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.rtnetlink.NetNs;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import io.podnet.workload.bridge.Attachment;
import io.podnet.workload.bridge.BridgeNetwork;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class RoutedNetworkNetnsIT {

    static Attachment pod(Netns ns, String cid, int n) {
        return new Attachment(NetNs.named(ns.name()), "eth0", cid,
                List.of(new Attachment.IpConfig(Cidr.parse("10.65.1." + n + "/26"), Optional.empty()),
                        new Attachment.IpConfig(Cidr.parse("fd65::" + n + "/122"), Optional.empty())),
                List.of(), Optional.empty());
    }

    @Test
    void podsOnOneNodeReachEachOtherAndTheNodeThroughRoutesAloneOverV4AndV6(Netns node, Netns p1, Netns p2) throws Exception {
        NetNs nodeNs = NetNs.named(node.name());
        try (var dp = NodeDataplane.open(nodeNs, NodeDataplane.Config.DEFAULT, 2, 2)) {
            dp.start();
            Sh.check("ip", "-n", node.name(), "link", "set", "lo", "up");
            Sh.check("ip", "-n", node.name(), "addr", "add", "10.64.0.1/32", "dev", "lo"); // the node's own address
            var net = new RoutedNetwork(dp, new NamespaceSandboxes(dp.workers().orElseThrow()), 1400);
            Attachment a1 = pod(p1, "c1", 7);
            Attachment a2 = new Attachment(NetNs.named(p2.name()), "eth0", "c2", pod(p2, "c2", 8).ips(),
                    List.of(new Attachment.RouteSpec(IpPrefix.parse("10.99.0.0/16"), Optional.empty())),
                    Optional.of(MacAddress.parse("02:42:0a:41:01:08")));
            RoutedNetwork.Attached r1 = net.attach(a1);
            net.attach(a2);

            assertThat(r1.hostVeth()).startsWith("cali").hasSize(15);
            assertThat(Sh.ipJson(node.name(), "link", "show", r1.hostVeth()).get(0).get("address").asText()).isEqualTo("ee:ee:ee:ee:ee:ee");
            assertThat(Sh.ipJson(node.name(), "link", "show", r1.hostVeth()).get(0).has("master")).isFalse(); // no bridge
            assertThat(Sh.ipJson(p1.name(), "addr", "show", "eth0").toString()).contains("\"10.65.1.7\"", "\"prefixlen\":32", "\"fd65::7\"");
            assertThat(Sh.ipJson(p1.name(), "route", "show", "default").get(0).get("gateway").asText()).isEqualTo("169.254.1.1");
            assertThat(Sh.ipJson(p1.name(), "-6", "route", "show", "default").get(0).get("gateway").asText()).isEqualTo("fe80::ecee:eeff:feee:eeee");
            assertThat(Sh.ipJson(p2.name(), "route", "show", "10.99.0.0/16").get(0).get("gateway").asText()).isEqualTo("169.254.1.1");
            assertThat(Sh.ipJson(p2.name(), "link", "show", "eth0").get(0).get("address").asText()).isEqualTo("02:42:0a:41:01:08");
            assertThat(Sh.ipJson(p2.name(), "link", "show", "eth0").get(0).get("mtu").asInt()).isEqualTo(1400);
            assertThat(Sh.check("ip", "-n", node.name(), "route", "show", "10.65.1.7")).contains("dev " + r1.hostVeth(), "proto 98");

            assertThat(p1.ping("10.65.1.8")).isTrue();
            assertThat(p2.ping("10.65.1.7")).isTrue();
            assertThat(p1.ping("10.64.0.1")).isTrue(); // the node itself, one hop away
            assertThat(p1.ping("fd65::8")).isTrue();
            assertThat(net.check(a1)).isEmpty();

            // a full resync of the node's tables keeps the host routes (they are desired state, not stray proto 98 routes)
            dp.queueResync();
            assertThat(dp.applyNow().ok()).isTrue();
            assertThat(Sh.check("ip", "-n", node.name(), "route", "show", "10.65.1.7")).contains("dev " + r1.hostVeth());

            // a second ADD for the same interface is refused and changes nothing
            assertThatThrownBy(() -> net.attach(a1)).isInstanceOf(BridgeNetwork.InterfaceExistsException.class);
            assertThat(p1.ping("10.65.1.8")).isTrue();

            net.detach(a1);
            net.detach(a1); // repeated DEL succeeds
            assertThat(net.check(a1)).isNotEmpty();
            assertThat(Sh.ipJson(node.name(), "link", "show").toString()).doesNotContain(r1.hostVeth());
            assertThat(Sh.check("ip", "-n", node.name(), "route", "show", "10.65.1.7")).isBlank();
            assertThat(Sh.check("ip", "-n", node.name(), "-6", "route", "show", "fd65::7")).isBlank();
            assertThat(Sh.ipJson(p1.name(), "link", "show").toString()).doesNotContain("eth0");
            assertThat(p2.ping("10.65.1.8")).isTrue(); // the other pod is untouched
        }
    }

    @Test
    void aFailedAttachLeavesNothing(Netns node, Netns p1) throws Exception {
        NetNs nodeNs = NetNs.named(node.name());
        try (var dp = NodeDataplane.open(nodeNs, NodeDataplane.Config.DEFAULT, 2, 2)) {
            dp.start();
            var net = new RoutedNetwork(dp, new NamespaceSandboxes(dp.workers().orElseThrow()), 0);
            // a route the pod cannot have: its gateway is not on-link (the kernel refuses it after the veth exists)
            Attachment bad = new Attachment(NetNs.named(p1.name()), "eth0", "c9",
                    List.of(new Attachment.IpConfig(Cidr.parse("10.65.1.9/26"), Optional.empty())),
                    List.of(new Attachment.RouteSpec(IpPrefix.parse("10.99.0.0/16"), Optional.of(io.podnet.net.IpAddress.parse("192.0.2.1")))),
                    Optional.empty());
            assertThatThrownBy(() -> net.attach(bad)).isInstanceOf(java.io.IOException.class);
            assertThat(Sh.ipJson(node.name(), "link", "show").toString()).doesNotContain(RoutedNetwork.hostVeth(bad));
            assertThat(Sh.ipJson(p1.name(), "link", "show").toString()).doesNotContain("eth0");
            assertThat(Sh.check("ip", "-n", node.name(), "route", "show", "10.65.1.9")).isBlank();
        }
    }
}
