package io.podnet.rtnetlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class LinkNetnsIT {

    static Rtnetlink open(Netns ns) throws Exception {
        return Rtnetlink.open(NetNs.named(ns.name()));
    }

    /** A plain Ethernet device (the kernel here has no dummy module): one end of a veth pair. */
    static void plain(Rtnetlink h, String name) throws Exception {
        h.links().add(LinkAttrs.named(name), LinkKind.Veth.peer(name + "p"));
    }

    static JsonNode link(Netns ns, String name) {
        return Sh.ipJson(ns.name(), "link", "show", "dev", name).get(0);
    }

    @Test
    void createsVethWithPeerDirectlyInAnotherNamespace(Netns a, Netns b) throws Exception {
        try (var ha = open(a); var hb = open(b)) {
            ha.links().add(LinkAttrs.named("va").mtu(1400).up(), LinkKind.Veth.peerIn("vb", hb.namespace()));
            JsonNode va = link(a, "va");
            assertThat(va.get("mtu").asInt()).isEqualTo(1400);
            assertThat(va.get("linkinfo").get("info_kind").asText()).isEqualTo("veth");
            assertThat(va.get("flags").toString()).contains("\"UP\"");
            assertThat(link(b, "vb").get("linkinfo").get("info_kind").asText()).isEqualTo("veth");
            Link l = ha.links().get("va").orElseThrow();
            assertThat(l.kind()).isInstanceOf(LinkKind.Veth.class);
            assertThat(l.isUp()).isTrue();
            assertThat(l.index()).isEqualTo(va.get("ifindex").asInt());
            assertThat(ha.links().list()).extracting(Link::name).contains("lo", "va");
        }
    }

    @Test
    void setsStateMtuMacNameAndMaster(Netns a) throws Exception {
        try (var h = open(a)) {
            h.links().add(LinkAttrs.named("br0"), new LinkKind.Bridge());
            plain(h, "d0");
            h.links().setMtu("d0", 1300);
            MacAddress mac = MacAddress.parse("02:00:00:aa:bb:cc");
            h.links().setMac("d0", mac);
            h.links().rename("d0", "d1");
            h.links().setMaster("d1", "br0");
            h.links().setUp("d1");
            JsonNode d = link(a, "d1");
            assertThat(d.get("mtu").asInt()).isEqualTo(1300);
            assertThat(d.get("address").asText()).isEqualTo("02:00:00:aa:bb:cc");
            assertThat(d.get("master").asText()).isEqualTo("br0");
            assertThat(d.get("flags").toString()).contains("\"UP\"");
            Link l = h.links().get("d1").orElseThrow();
            assertThat(l.mac()).contains(mac);
            assertThat(l.masterIndex()).hasValue(h.links().index("br0"));
            h.links().setHairpin("d1", true);
            assertThat(link(a, "d1").get("linkinfo").get("info_slave_data").get("hairpin").asBoolean()).isTrue();
            h.links().setNoMaster("d1");
            h.links().setDown("d1");
            assertThat(link(a, "d1").has("master")).isFalse();
            assertThat(link(a, "d1").get("flags").toString()).doesNotContain("\"UP\"");
        }
    }

    @Test
    void createsVxlanWithVniPortLocalAndUnderlay(Netns a) throws Exception {
        try (var h = open(a)) {
            plain(h, "u0");
            var vx = LinkKind.Vxlan.of(42, 8472).withLocal(IpAddress.parse("10.99.0.1")).withDevice("u0");
            h.links().add(LinkAttrs.named("vx0").mtu(1450), vx);
            JsonNode d = link(a, "vx0").get("linkinfo").get("info_data");
            assertThat(d.get("id").asInt()).isEqualTo(42);
            assertThat(d.get("port").asInt()).isEqualTo(8472);
            assertThat(d.get("local").asText()).isEqualTo("10.99.0.1");
            assertThat(d.get("link").asText()).isEqualTo("u0");
            assertThat(d.get("learning").asBoolean()).isFalse();
            Link l = h.links().get("vx0").orElseThrow();
            assertThat(l.kind()).isEqualTo(vx);
        }
    }

    @Test
    void createsMacvlanAndTun(Netns a) throws Exception {
        try (var h = open(a)) {
            plain(h, "p0");
            h.links().add(LinkAttrs.named("mv0"), new LinkKind.Macvlan(LinkKind.Macvlan.Mode.BRIDGE, "p0"));
            assertThat(link(a, "mv0").get("linkinfo").get("info_data").get("mode").asText()).isEqualTo("bridge");
            assertThat(h.links().get("mv0").orElseThrow().kind()).isEqualTo(new LinkKind.Macvlan(LinkKind.Macvlan.Mode.BRIDGE, "p0"));
            h.links().add(LinkAttrs.named("tun0").mtu(1472).up(), new LinkKind.Tuntap(LinkKind.Tuntap.Mode.TUN));
            JsonNode t = link(a, "tun0");
            assertThat(t.get("linkinfo").get("info_kind").asText()).isEqualTo("tun");
            assertThat(t.get("linkinfo").get("info_data").get("type").asText()).isEqualTo("tun");
            assertThat(t.get("linkinfo").get("info_data").get("persist").asBoolean()).isTrue();
            assertThat(t.get("mtu").asInt()).isEqualTo(1472);
        }
    }

    @Test
    void movesLinksBetweenNamespacesAndDeletes(Netns a, Netns b) throws Exception {
        try (var ha = open(a); var hb = open(b)) {
            plain(ha, "m0");
            ha.links().moveTo("m0", hb.namespace(), "m1");
            assertThat(ha.links().get("m0")).isEmpty();
            assertThat(link(b, "m1").get("ifname").asText()).isEqualTo("m1");
            hb.links().delete("m1");
            assertThat(hb.links().get("m1")).isEmpty();
            assertThat(hb.links().deleteIfPresent("m1")).isFalse();
        }
    }

    @Test
    void errorsAreTypedWithErrnoAndExtendedAck(Netns a) throws Exception {
        try (var h = open(a)) {
            plain(h, "e0");
            assertThatThrownBy(() -> h.links().add(LinkAttrs.named("e0"), LinkKind.Veth.peer("e0x")))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> {
                        assertThat(e.isExists()).isTrue();
                        assertThat(e.errno().name()).isEqualTo("EEXIST");
                        assertThat(e.getMessage()).contains("link add e0").contains("EEXIST");
                    });
            assertThatThrownBy(() -> h.links().moveTo("e0", NetNs.at(Path.of("/run/netns/pn-missing-ns"))))
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining("ENOENT").hasMessageContaining("pn-missing-ns");
            assertThatThrownBy(() -> h.links().delete("nosuch0"))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.isNotFound()).isTrue());
            // an MTU the kernel refuses comes back with the kernel's extended ack text
            assertThatThrownBy(() -> h.links().setMtu("e0", 1))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> {
                        assertThat(e.errno().name()).isEqualTo("EINVAL");
                        assertThat(e.extAck()).isPresent();
                    });
        }
    }

    @Test
    void ipipEncodesButReportsMissingKernelSupportClearly(Netns a) throws Exception {
        boolean kernelHasIpip = Sh.run("ip", "-n", a.name(), "link", "add", "ipcheck", "type", "ipip").ok();
        try (var h = open(a)) {
            plain(h, "u1");
            var ipip = new LinkKind.Ipip(java.util.Optional.of(IpAddress.parse("10.0.0.1")),
                    java.util.Optional.of(IpAddress.parse("10.0.0.2")), 64, java.util.Optional.of("u1"));
            if (kernelHasIpip) {
                h.links().add(LinkAttrs.named("tl0"), ipip);
                assertThat(link(a, "tl0").get("linkinfo").get("info_kind").asText()).isEqualTo("ipip");
            } else {
                assertThatThrownBy(() -> h.links().add(LinkAttrs.named("tl0"), ipip))
                        .isInstanceOfSatisfying(KernelSupportException.class, e -> {
                            assertThat(e.feature()).isEqualTo("ipip");
                            assertThat(e.getMessage()).contains("kernel has no ipip support");
                        });
                assertThat(h.links().get("tl0")).isEmpty();
            }
        }
    }
}
