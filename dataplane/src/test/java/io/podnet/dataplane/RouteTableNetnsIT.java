package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteType;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class RouteTableNetnsIT {

    private static List<String> dsts(Netns ns, String... args) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : Sh.ipJson(ns.name(), args)) out.add(r.get("dst").asText());
        return out;
    }

    private static void veth(Netns ns) {
        Sh.ip(ns.name(), "link", "add", "v0", "type", "veth", "peer", "name", "v0p");
        Sh.ip(ns.name(), "link", "set", "v0", "up");
        Sh.ip(ns.name(), "link", "set", "v0p", "up");
        Sh.ip(ns.name(), "addr", "add", "192.168.7.1/24", "dev", "v0");
    }

    @Test
    void programsRoutesWithOurProtocolAndAResyncChangesNothing(Netns ns) throws Exception {
        veth(ns);
        try (var h = Rtnetlink.open(NetNs.named(ns.name()))) {
            var table = new RouteTable(new RtnetlinkKernel(h), InstantSource.system(), RouteTableConfig.main());
            table.setRoute(Route.device(IpPrefix.parse("10.10.0.0/24"), "v0"));
            table.setRoute(Route.via(IpPrefix.parse("10.11.0.0/24"), IpAddress.parse("192.168.7.2"), "v0"));
            table.setRoute(Route.via(IpPrefix.parse("10.13.0.0/24"), IpAddress.parse("10.13.0.0"), "v0").withOnlink());
            table.setRoute(Route.to(IpPrefix.parse("10.12.0.0/26")).type(RouteType.BLACKHOLE));
            table.setRoute(Route.device(IpPrefix.parse("fd00:10::/64"), "v0"));
            table.setRoute(Route.via(IpPrefix.parse("fd00:11::/64"), IpAddress.parse("fd00::2"), "v0").withOnlink());
            table.setRoute(Route.to(IpPrefix.parse("fd00:12::/64")).type(RouteType.BLACKHOLE));
            table.setRoute(Route.device(IpPrefix.parse("10.14.0.0/24"), "v0").metric(100));

            ApplyResult r = table.apply();

            assertThat(r.failures()).isEmpty();
            assertThat(dsts(ns, "-4", "route", "show", "proto", "98"))
                    .containsExactlyInAnyOrder("10.10.0.0/24", "10.11.0.0/24", "10.13.0.0/24", "10.12.0.0/26", "10.14.0.0/24");
            assertThat(dsts(ns, "-6", "route", "show", "proto", "98")).containsExactlyInAnyOrder("fd00:10::/64", "fd00:11::/64", "fd00:12::/64");
            JsonNode onlink = Sh.ipJson(ns.name(), "-4", "route", "show", "10.13.0.0/24").get(0);
            assertThat(onlink.get("gateway").asText()).isEqualTo("10.13.0.0");
            assertThat(onlink.get("flags").toString()).contains("onlink");

            table.queueResync();
            ApplyResult again = table.apply();
            assertThat(again.resynced()).isTrue();
            assertThat(again.updated() + again.deleted()).as("kernel-filled defaults must compare equal: " + again).isZero();

            for (String dst : List.of("fd00:12::/64", "10.12.0.0/26", "fd00:11::/64", "10.14.0.0/24")) {
                table.removeRoute(IpPrefix.parse(dst));
            }
            ApplyResult removed = table.apply();
            assertThat(removed.failures()).isEmpty();
            assertThat(removed.deleted()).isEqualTo(4);
            assertThat(dsts(ns, "-4", "route", "show", "proto", "98")).containsExactlyInAnyOrder("10.10.0.0/24", "10.11.0.0/24", "10.13.0.0/24");
            assertThat(dsts(ns, "-6", "route", "show", "proto", "98")).containsExactly("fd00:10::/64");
        }
    }

    @Test
    void resyncDeletesAnOutOfBandRouteWithOurProtocolButKeepsOthers(Netns ns) throws Exception {
        veth(ns);
        try (var h = Rtnetlink.open(NetNs.named(ns.name()))) {
            var table = new RouteTable(new RtnetlinkKernel(h), InstantSource.system(), RouteTableConfig.main());
            table.setRoute(Route.device(IpPrefix.parse("10.10.0.0/24"), "v0"));
            assertThat(table.apply().ok()).isTrue();
            Sh.ip(ns.name(), "route", "add", "10.20.0.0/24", "dev", "v0", "proto", "98");
            Sh.ip(ns.name(), "route", "add", "10.21.0.0/24", "dev", "v0", "proto", "static");
            Sh.ip(ns.name(), "route", "del", "10.10.0.0/24");

            table.queueResync();
            ApplyResult r = table.apply();

            assertThat(r.ok()).isTrue();
            assertThat(r.deleted()).isEqualTo(1);
            assertThat(r.updated()).isEqualTo(1);
            assertThat(dsts(ns, "-4", "route", "show")).contains("10.10.0.0/24", "10.21.0.0/24").doesNotContain("10.20.0.0/24");
        }
    }

    @Test
    void routeThroughAMissingDeviceFailsEnodevAndIsProgrammedOnceItExists(Netns ns) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(ns.name()))) {
            var table = new RouteTable(new RtnetlinkKernel(h), InstantSource.system(),
                    RouteTableConfig.main().withTable(100).withInterfacePrefixes("cali"));
            table.setRoute(Route.device(IpPrefix.parse("10.65.0.7/32"), "cali0a1b"));
            ApplyResult failed = table.apply();
            assertThat(failed.ok()).isFalse();
            assertThat(failed.failures().getFirst().error()).hasMessageContaining("ENODEV");

            Sh.ip(ns.name(), "link", "add", "cali0a1b", "type", "veth", "peer", "name", "c0p");
            Sh.ip(ns.name(), "link", "set", "cali0a1b", "up");
            Sh.ip(ns.name(), "route", "add", "10.65.0.9/32", "dev", "cali0a1b", "table", "100"); // leftover, proto boot
            table.interfaceChanged("cali0a1b");
            assertThat(table.apply().ok()).isTrue();

            assertThat(dsts(ns, "-4", "route", "show", "table", "100")).containsExactly("10.65.0.7");
        }
    }
}
