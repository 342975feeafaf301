package io.podnet.overlay.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.overlay.subnet.LeaseAttrs;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetLease;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackendPlannerTest {
    static SubnetLease lease(String subnet, String ip, String mac) {
        return new SubnetLease(IpPrefix.parse(subnet), new LeaseAttrs(IpAddress.parse(ip), "vxlan",
                Optional.ofNullable(mac).map(MacAddress::parse), 1), 1, 1);
    }

    final SubnetLease me = lease("10.5.1.0/24", "192.168.200.1", "0a:00:00:00:00:01");
    final SubnetLease b = lease("10.5.2.0/24", "192.168.200.2", "0a:00:00:00:00:02");
    final SubnetLease far = lease("10.5.3.0/24", "172.31.0.9", "0a:00:00:00:00:03");
    final Cidr underlay = Cidr.parse("192.168.200.1/24");

    @Test
    void vxlanGetsOneNeighbourOneFdbEntryAndOneOnlinkRoutePerRemoteNode() {
        var cfg = NetworkConfig.parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}");
        OverlayPlan p = new BackendPlanner(cfg, "flannel.1", "eth0", underlay).compute(me, List.of(me, b, far));
        assertThat(p.neighbors()).containsExactlyInAnyOrder(
                Neighbor.permanent("flannel.1", IpAddress.parse("10.5.2.0"), MacAddress.parse("0a:00:00:00:00:02")),
                Neighbor.permanent("flannel.1", IpAddress.parse("10.5.3.0"), MacAddress.parse("0a:00:00:00:00:03")));
        assertThat(p.fdb()).contains(FdbEntry.vxlan("flannel.1", MacAddress.parse("0a:00:00:00:00:02"), IpAddress.parse("192.168.200.2")));
        assertThat(p.routes()).contains(Route.via(IpPrefix.parse("10.5.2.0/24"), IpAddress.parse("10.5.2.0"), "flannel.1")
                .withOnlink().protocol(RouteProtocol.PODNET));
        assertThat(p.routes()).hasSize(2).allMatch(r -> r.protocol().equals(RouteProtocol.PODNET));
        assertThat(BackendPlanner.mtu(cfg, 1500)).isEqualTo(1450);
        assertThat(BackendPlanner.deviceName(cfg)).isEqualTo("flannel.1");
    }

    @Test
    void directRoutingUsesPlainRoutesForNodesOnTheSameSegment() {
        var cfg = NetworkConfig.parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"DirectRouting\":true}}");
        OverlayPlan p = new BackendPlanner(cfg, "flannel.1", "eth0", underlay).compute(me, List.of(me, b, far));
        assertThat(p.routes()).contains(Route.via(IpPrefix.parse("10.5.2.0/24"), IpAddress.parse("192.168.200.2"), "eth0").protocol(RouteProtocol.PODNET));
        assertThat(p.neighbors()).extracting(Neighbor::ip).containsExactly(IpAddress.parse("10.5.3.0"));
    }

    @Test
    void hostGwRoutesViaPeersAndRefusesNodesOffTheSegment() {
        var cfg = NetworkConfig.parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"host-gw\"}}");
        OverlayPlan p = new BackendPlanner(cfg, "", "eth0", underlay).compute(me, List.of(me, b, far));
        assertThat(p.routes()).containsExactly(Route.via(IpPrefix.parse("10.5.2.0/24"), IpAddress.parse("192.168.200.2"), "eth0").protocol(RouteProtocol.PODNET));
        assertThat(p.problems()).singleElement().asString().contains("172.31.0.9").contains("not on this node's L2 segment");
    }

    @Test
    void udpRoutesTheNetworkToTheTunAndKeepsAUserspaceTable() {
        var cfg = NetworkConfig.parse("{\"Network\":\"10.5.0.0/16\"}");
        OverlayPlan p = new BackendPlanner(cfg, "flannel0", "eth0", underlay).compute(me, List.of(me, b));
        assertThat(p.routes()).singleElement().satisfies(r -> {
            assertThat(r.dst()).isEqualTo(IpPrefix.parse("10.5.0.0/16"));
            assertThat(r.dev()).contains("flannel0");
        });
        assertThat(p.udpRoutes()).containsEntry(IpPrefix.parse("10.5.2.0/24"), IpAddress.parse("192.168.200.2"));
        assertThat(BackendPlanner.mtu(cfg, 1500)).isEqualTo(1472);
    }
}
