package io.podnet.rtnetlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** End to end: what the library builds actually forwards packets. */
@ExtendWith(NetnsExtension.class)
class ConnectivityNetnsIT {

    @Test
    void twoNamespacesJoinedByVethWithAddressesAndRoutesPingEachOther(Netns a, Netns b) throws Exception {
        try (var ha = Rtnetlink.open(NetNs.named(a.name())); var hb = Rtnetlink.open(NetNs.named(b.name()))) {
            ha.links().add(LinkAttrs.named("eth0").up(), LinkKind.Veth.peerIn("eth0", hb.namespace()));
            hb.links().setUp("eth0");
            ha.addresses().add(Address.of("eth0", "10.77.0.1/30"));
            hb.addresses().add(Address.of("eth0", "10.77.0.2/30"));
            // a routed prefix behind each side, on loopback
            ha.addresses().add(Address.of("lo", "10.78.1.1/32"));
            hb.addresses().add(Address.of("lo", "10.78.2.1/32"));
            ha.routes().add(Route.via(IpPrefix.parse("10.78.2.0/24"), IpAddress.parse("10.77.0.2"), "eth0"));
            hb.routes().add(Route.via(IpPrefix.parse("10.78.1.0/24"), IpAddress.parse("10.77.0.1"), "eth0").src(IpAddress.parse("10.78.2.1")));
            ha.addresses().add(Address.of("eth0", "fd00:77::1/64").withFlags(AddressFlag.NODAD));
            hb.addresses().add(Address.of("eth0", "fd00:77::2/64").withFlags(AddressFlag.NODAD));

            assertThat(a.ping("10.77.0.2")).isTrue();
            assertThat(b.ping("10.77.0.1")).isTrue();
            assertThat(a.exec("ping", "-c", "1", "-W", "2", "-I", "10.78.1.1", "10.78.2.1").ok()).isTrue();
            assertThat(a.ping("fd00:77::2")).isTrue();
        }
    }

    @Test
    void twoNamespacesJoinedByVxlanOverVethUnderlayWithStaticFdbAndArpPing(Netns a, Netns b) throws Exception {
        try (var ha = Rtnetlink.open(NetNs.named(a.name())); var hb = Rtnetlink.open(NetNs.named(b.name()))) {
            // underlay
            ha.links().add(LinkAttrs.named("ul0").up(), LinkKind.Veth.peerIn("ul0", hb.namespace()));
            hb.links().setUp("ul0");
            ha.addresses().add(Address.of("ul0", "192.168.77.1/24"));
            hb.addresses().add(Address.of("ul0", "192.168.77.2/24"));
            // overlay: flannel's layout, learning off, everything static
            MacAddress macA = MacAddress.parse("0a:00:00:00:77:01");
            MacAddress macB = MacAddress.parse("0a:00:00:00:77:02");
            ha.links().add(LinkAttrs.named("vx0").mtu(1450).mac(macA),
                    LinkKind.Vxlan.of(1, 8472).withLocal(IpAddress.parse("192.168.77.1")).withDevice("ul0"));
            hb.links().add(LinkAttrs.named("vx0").mtu(1450).mac(macB),
                    LinkKind.Vxlan.of(1, 8472).withLocal(IpAddress.parse("192.168.77.2")).withDevice("ul0"));
            ha.addresses().add(Address.of("vx0", "10.244.1.0/32"));
            hb.addresses().add(Address.of("vx0", "10.244.2.0/32"));
            ha.links().setUp("vx0");
            hb.links().setUp("vx0");
            ha.neighbors().replace(Neighbor.permanent("vx0", IpAddress.parse("10.244.2.0"), macB));
            hb.neighbors().replace(Neighbor.permanent("vx0", IpAddress.parse("10.244.1.0"), macA));
            ha.fdb().append(FdbEntry.vxlan("vx0", macB, IpAddress.parse("192.168.77.2")));
            hb.fdb().append(FdbEntry.vxlan("vx0", macA, IpAddress.parse("192.168.77.1")));
            ha.routes().replace(Route.via(IpPrefix.parse("10.244.2.0/24"), IpAddress.parse("10.244.2.0"), "vx0").withOnlink());
            hb.routes().replace(Route.via(IpPrefix.parse("10.244.1.0/24"), IpAddress.parse("10.244.1.0"), "vx0").withOnlink());

            assertThat(a.ping("10.244.2.0")).isTrue();
            assertThat(b.ping("10.244.1.0")).isTrue();
            // the packets really crossed the tunnel
            assertThat(a.exec("ip", "-s", "link", "show", "vx0").check().out()).containsPattern("TX:[^\\n]*\\n\\s+\\d+\\s+[1-9]");
        }
    }
}
