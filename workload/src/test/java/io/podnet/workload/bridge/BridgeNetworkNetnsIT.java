package io.podnet.workload.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.workload.nft.NftTable;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
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

    @Test
    void podsOnOneBridgePingEachOtherAndTheGatewayOverV4AndV6(Netns host, Netns p1, Netns p2) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(host.name()))) {
            var net = new BridgeNetwork(h, new BridgeConfig("pnbr0", 1400, true, true, true, false));
            Attachment a1 = pod(p1, "c1", 11);
            Attachment a2 = new Attachment(NetNs.named(p2.name()), "eth0", "c2", pod(p2, "c2", 12).ips(), List.of(),
                    Optional.of(MacAddress.parse("02:42:0a:58:00:0c")));
            BridgeNetwork.Attached r1 = net.attach(a1);
            net.attach(a2);
            assertThat(r1.hostVeth()).startsWith("pnv").hasSize(14);
            assertThat(r1.mtu()).isEqualTo(1400);
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

            net.detach(a1);
            net.detach(a1); // repeated DEL succeeds
            assertThat(net.check(a1)).isNotEmpty();
            assertThat(Sh.ipJson(host.name(), "link", "show").toString()).doesNotContain(r1.hostVeth());
            assertThat(Sh.ipJson(p1.name(), "link", "show").toString()).doesNotContain("eth0");
        }
    }

    @Test
    void detachSucceedsWhenTheSandboxIsGone(Netns host) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(host.name()))) {
            var net = new BridgeNetwork(h, new BridgeConfig("pnbr1", 0, true, false, false, false));
            Netns gone = Netns.create("gone");
            Attachment a = pod(gone, "c9", 9);
            String veth = net.attach(a).hostVeth();
            gone.close();
            net.detach(a);
            assertThat(Sh.ipJson(host.name(), "link", "show").toString()).doesNotContain(veth);
        }
    }

    @Test
    void masqueradeRulesLiveInOurOwnNftTable(Netns host) throws Exception {
        NftTable t = new NftTable();
        t.setChain("postrouting", new NftTable.Chain("type nat hook postrouting priority srcnat; policy accept;",
                NftTable.masqueradeRules("net1", List.of(IpPrefix.parse("10.88.0.0/24"), IpPrefix.parse("fd00:88::/64")))));
        NetNs ns = NetNs.named(host.name());
        ns.run(() -> { t.apply(); return null; });
        String rules = host.exec("nft", "list", "table", "inet", "podnet").check().out();
        assertThat(rules).contains("ip saddr 10.88.0.0/24 ip daddr != 10.88.0.0/24").contains("masquerade")
                .contains("ip6 saddr fd00:88::/64");
        t.removeChain("postrouting");
        ns.run(() -> { t.apply(); return null; });
        assertThat(host.exec("nft", "list", "tables").check().out()).doesNotContain("podnet");
    }

    @Test
    void aPinnedNftTableLandsInItsNamespaceWhicheverThreadApplies(Netns host, Netns elsewhere) throws Exception {
        NftTable t = new NftTable(NetNs.named(host.name()));
        t.setChain("postrouting", new NftTable.Chain("type nat hook postrouting priority srcnat; policy accept;",
                NftTable.masqueradeRules("net2", List.of(IpPrefix.parse("10.89.0.0/24")))));
        try {
            NetNs.named(elsewhere.name()).run(() -> { // the applying thread sits in another namespace
                t.apply();
                return null;
            });
            assertThat(host.exec("nft", "list", "table", "inet", "podnet").check().out()).contains("ip saddr 10.89.0.0/24");
            assertThat(elsewhere.exec("nft", "list", "tables").check().out()).doesNotContain("podnet");
        } finally {
            t.removeChain("postrouting");
            t.apply();
        }
        assertThat(host.exec("nft", "list", "tables").check().out()).doesNotContain("podnet");
    }

    @Test
    void hostSysctlsOfTheBridgeIgnoreTheCallersNamespace(Netns host, Netns pod) throws Exception {
        Sh.check("ip", "netns", "exec", host.name(), "sysctl", "-qw", "net.ipv4.ip_forward=0");
        Sh.check("ip", "netns", "exec", pod.name(), "sysctl", "-qw", "net.ipv4.ip_forward=0");
        try (var h = Rtnetlink.open(NetNs.named(host.name())); var threads = new io.podnet.workload.ns.NetnsThreads(NetNs.named(host.name()), 2)) {
            var withWorkers = new BridgeNetwork(h, new BridgeConfig("pnbr2", 0, true, false, false, false), threads);
            var without = new BridgeNetwork(h, new BridgeConfig("pnbr3", 0, true, false, false, false));
            for (BridgeNetwork net : List.of(withWorkers, without)) {
                NetNs.named(pod.name()).run(() -> net.ensureBridge(List.of(Cidr.parse("10.87.0.1/24"))));
            }
            assertThat(host.exec("sysctl", "-n", "net.ipv4.ip_forward").check().out().strip()).isEqualTo("1");
            assertThat(pod.exec("sysctl", "-n", "net.ipv4.ip_forward").check().out().strip()).isEqualTo("0");
            assertThat(host.exec("sysctl", "-n", "net.ipv6.conf.pnbr3.accept_ra").check().out().strip()).isEqualTo("0");
        }
    }
}
