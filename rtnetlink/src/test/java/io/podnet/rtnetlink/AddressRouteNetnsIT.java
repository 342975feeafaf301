package io.podnet.rtnetlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class AddressRouteNetnsIT {

    static Rtnetlink up(Netns ns) throws Exception {
        Rtnetlink h = Rtnetlink.open(NetNs.named(ns.name()));
        h.links().add(LinkAttrs.named("e0").up(), LinkKind.Veth.peer("e0p"));
        h.links().setUp("e0p");
        return h;
    }

    static List<String> ipAddrs(Netns ns, String dev) {
        List<String> out = new ArrayList<>();
        for (JsonNode i : Sh.ipJson(ns.name(), "addr", "show", "dev", dev)) {
            for (JsonNode a : i.get("addr_info")) out.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt());
        }
        return out;
    }

    @Test
    void addsReplacesListsAndDeletesIpv4AndIpv6Addresses(Netns a) throws Exception {
        try (var h = up(a)) {
            h.addresses().add(Address.of("e0", "10.244.1.5/24"));
            h.addresses().add(Address.of("e0", "fd00:1::5/64").withFlags(AddressFlag.NODAD));
            h.addresses().replace(Address.of("e0", "10.244.1.5/24"));
            assertThat(ipAddrs(a, "e0")).contains("10.244.1.5/24", "fd00:1::5/64");
            assertThat(h.addresses().list("e0")).extracting(Address::cidr)
                    .contains(Cidr.parse("10.244.1.5/24"), Cidr.parse("fd00:1::5/64"));
            assertThatThrownBy(() -> h.addresses().add(Address.of("e0", "10.244.1.5/24")))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.isExists()).isTrue());
            h.addresses().delete(Address.of("e0", "10.244.1.5/24"));
            assertThat(h.addresses().deleteIfPresent(Address.of("e0", "10.244.1.5/24"))).isFalse();
            assertThat(ipAddrs(a, "e0")).doesNotContain("10.244.1.5/24").contains("fd00:1::5/64");
        }
    }

    @Test
    void routesCoverGatewayOnlinkScopeTableProtocolTypeSrcMetricAndMtu(Netns a) throws Exception {
        try (var h = up(a)) {
            h.addresses().add(Address.of("e0", "10.1.0.2/24"));
            h.addresses().add(Address.of("e0", "fd00:9::2/64").withFlags(AddressFlag.NODAD));
            IpAddress gw = IpAddress.parse("10.1.0.1");
            h.routes().add(Route.via(IpPrefix.parse("10.20.0.0/16"), gw, "e0").protocol(RouteProtocol.PODNET).metric(50).mtu(1400));
            h.routes().replace(Route.to("10.30.0.0/24").gateway(IpAddress.parse("192.0.2.1")).dev("e0").withOnlink());
            h.routes().add(Route.device(IpPrefix.parse("10.40.0.0/24"), "e0").src(IpAddress.parse("10.1.0.2")).table(100));
            h.routes().add(Route.to("10.50.0.0/24").type(RouteType.BLACKHOLE));
            h.routes().add(Route.to("10.60.0.0/24").type(RouteType.UNREACHABLE));
            h.routes().add(Route.via(IpPrefix.parse("fd00:20::/48"), IpAddress.parse("fd00:9::1"), "e0").protocol(RouteProtocol.PODNET));

            JsonNode r1 = Sh.ipJson(a.name(), "route", "show", "10.20.0.0/16").get(0);
            assertThat(r1.get("gateway").asText()).isEqualTo("10.1.0.1");
            assertThat(r1.get("protocol").asText()).isEqualTo("98");
            assertThat(r1.get("metric").asInt()).isEqualTo(50);
            assertThat(r1.get("metrics").get(0).get("mtu").asInt()).isEqualTo(1400);
            JsonNode r2 = Sh.ipJson(a.name(), "route", "show", "10.30.0.0/24").get(0);
            assertThat(r2.get("flags").toString()).contains("onlink");
            JsonNode r3 = Sh.ipJson(a.name(), "route", "show", "table", "100").get(0);
            assertThat(r3.get("scope").asText()).isEqualTo("link");
            assertThat(r3.get("prefsrc").asText()).isEqualTo("10.1.0.2");
            assertThat(Sh.ipJson(a.name(), "route", "show", "10.50.0.0/24").get(0).get("type").asText()).isEqualTo("blackhole");
            assertThat(Sh.ipJson(a.name(), "route", "show", "10.60.0.0/24").get(0).get("type").asText()).isEqualTo("unreachable");
            assertThat(Sh.ipJson(a.name(), "-6", "route", "show", "fd00:20::/48").get(0).get("gateway").asText()).isEqualTo("fd00:9::1");

            List<Route> main = h.routes().list();
            Route got = main.stream().filter(r -> r.dst().equals(IpPrefix.parse("10.20.0.0/16"))).findFirst().orElseThrow();
            assertThat(got.gateway()).contains(gw);
            assertThat(got.dev()).contains("e0");
            assertThat(got.protocol()).isEqualTo(RouteProtocol.PODNET);
            assertThat(got.metric()).hasValue(50);
            assertThat(got.mtu()).hasValue(1400);
            assertThat(main).anySatisfy(r -> {
                assertThat(r.dst()).isEqualTo(IpPrefix.parse("10.30.0.0/24"));
                assertThat(r.onlink()).isTrue();
            });
            assertThat(main).anySatisfy(r -> assertThat(r.type()).isEqualTo(RouteType.BLACKHOLE));
            assertThat(h.routes().list(100)).singleElement().satisfies(r -> {
                assertThat(r.scope()).isEqualTo(RouteScope.LINK);
                assertThat(r.src()).contains(IpAddress.parse("10.1.0.2"));
            });
            assertThat(main).anySatisfy(r -> assertThat(r.dst()).isEqualTo(IpPrefix.parse("fd00:20::/48")));

            h.routes().delete(Route.via(IpPrefix.parse("10.20.0.0/16"), gw, "e0").protocol(RouteProtocol.PODNET).metric(50));
            assertThat(Sh.ipJson(a.name(), "route", "show", "10.20.0.0/16")).isEmpty();
            assertThatThrownBy(() -> h.routes().delete(Route.to("10.99.0.0/24")))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> {
                        assertThat(e.isNotFound()).isTrue();
                        assertThat(e.errno().name()).isEqualTo("ESRCH");
                        assertThat(e.getMessage()).contains("route del 10.99.0.0/24");
                    });
            assertThat(h.routes().deleteIfPresent(Route.to("10.99.0.0/24"))).isFalse();
            assertThat(h.routes().deleteIfPresent(Route.to("10.50.0.0/24").type(RouteType.BLACKHOLE))).isTrue();
        }
    }
}
