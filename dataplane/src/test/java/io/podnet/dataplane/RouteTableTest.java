package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.RouteType;
import io.podnet.rtnetlink.Errno;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private final ManualClock clock = new ManualClock();
    private final FakeKernel kernel = new FakeKernel();
    private RouteTable table;

    @BeforeEach
    void setUp() {
        kernel.createLink("eth0", new LinkKind.Device());
        kernel.createLink("flannel.1", LinkKind.Vxlan.of(1, 8472));
        table = new RouteTable(kernel, clock, RouteTableConfig.main());
    }

    private static IpPrefix p(String s) { return IpPrefix.parse(s); }

    private static Route vxlanRoute(String subnet, String gw) {
        return Route.via(p(subnet), IpAddress.parse(gw), "flannel.1").withOnlink();
    }

    private boolean kernelHas(String dst) {
        return kernel.routes().stream().anyMatch(r -> r.dst().equals(p(dst)));
    }

    @Test
    void deletesOnlyRoutesItOwns() throws Exception {
        kernel.replaceRoute(Route.device(p("10.1.0.0/24"), "eth0").protocol(RouteProtocol.PODNET));  // ours, stale
        kernel.replaceRoute(Route.device(p("10.2.0.0/24"), "eth0").protocol(RouteProtocol.STATIC));  // admin's
        kernel.replaceRoute(Route.device(p("10.3.0.0/24"), "eth0"));                                 // proto boot
        kernel.replaceRoute(Route.device(p("10.5.0.0/24"), "eth0").protocol(RouteProtocol.PODNET).table(100)); // other table
        table.setRoute(vxlanRoute("10.244.2.0/24", "10.244.2.0"));

        ApplyResult r = table.apply();

        assertThat(r.ok()).isTrue();
        assertThat(r.resynced()).isTrue();
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(kernelHas("10.1.0.0/24")).isFalse();
        assertThat(kernelHas("10.2.0.0/24")).isTrue();
        assertThat(kernelHas("10.3.0.0/24")).isTrue();
        assertThat(kernelHas("10.5.0.0/24")).isTrue();
        assertThat(kernel.routes()).anySatisfy(x -> {
            assertThat(x.dst()).isEqualTo(p("10.244.2.0/24"));
            assertThat(x.protocol()).isEqualTo(RouteProtocol.PODNET);
            assertThat(x.onlink()).isTrue();
        });
    }

    @Test
    void ownsNonKernelRoutesOnItsInterfacePrefixes() throws Exception {
        kernel.createLink("cali12345", LinkKind.Veth.peer(""));
        kernel.replaceRoute(Route.device(p("10.65.0.7/32"), "cali12345"));                          // leftover, proto boot
        kernel.replaceRoute(Route.device(p("fe80::/64"), "cali12345").protocol(RouteProtocol.KERNEL)); // the kernel's
        kernel.replaceRoute(Route.device(p("10.9.0.0/24"), "eth0"));                                 // not on a cali*
        var calico = new RouteTable(kernel, clock, RouteTableConfig.main().withInterfacePrefixes("cali"));

        assertThat(calico.apply().ok()).isTrue();

        assertThat(kernelHas("10.65.0.7/32")).isFalse();
        assertThat(kernelHas("fe80::/64")).isTrue();
        assertThat(kernelHas("10.9.0.0/24")).isTrue();
    }

    @Test
    void retriesAfterInjectedEbusyWithBackoff() {
        kernel.failNext(Op.ROUTE_REPLACE, Errno.EBUSY);
        kernel.failNext(Op.ROUTE_REPLACE, Errno.EBUSY);
        table.setRoute(vxlanRoute("10.244.2.0/24", "10.244.2.0"));

        ApplyResult first = table.apply();
        assertThat(first.ok()).isFalse();
        assertThat(first.failures().getFirst().error()).hasMessageContaining("EBUSY");
        assertThat(first.retryAt()).contains(clock.instant().plusMillis(100));
        assertThat(table.needsApply(clock.instant())).isFalse();
        assertThat(table.pendingCount()).isEqualTo(1);

        clock.advance(Duration.ofMillis(100));
        assertThat(table.needsApply(clock.instant())).isTrue();
        ApplyResult second = table.apply();
        assertThat(second.ok()).isFalse();
        assertThat(second.retryAt()).contains(clock.instant().plusMillis(200)); // doubled
        assertThat(table.consecutiveFailures()).isEqualTo(2);

        clock.advance(Duration.ofMillis(199));
        assertThat(table.needsApply(clock.instant())).isFalse();
        clock.advance(Duration.ofMillis(1));
        ApplyResult third = table.apply();
        assertThat(third.ok()).isTrue();
        assertThat(third.retryAt()).isEmpty();
        assertThat(kernelHas("10.244.2.0/24")).isTrue();
        assertThat(kernel.calls(Op.ROUTE_REPLACE)).isEqualTo(3);
        assertThat(table.isDirty()).isFalse();
        assertThat(table.consecutiveFailures()).isZero();
    }

    @Test
    void resyncRepairsAnOutOfBandDeletion() throws Exception {
        table.setRoute(vxlanRoute("10.244.2.0/24", "10.244.2.0"));
        table.apply();
        kernel.deleteRoute(Route.to(p("10.244.2.0/24")).protocol(RouteProtocol.PODNET)); // someone ran ip route del
        kernel.resetCalls();

        assertThat(table.apply().updated()).as("without a resync the table cannot know").isZero();
        table.queueResync();
        ApplyResult r = table.apply();

        assertThat(r.updated()).isEqualTo(1);
        assertThat(kernelHas("10.244.2.0/24")).isTrue();
    }

    @Test
    void resyncRemovesAnOutOfBandAdditionWithOurProtocolOnly() throws Exception {
        table.apply();
        kernel.replaceRoute(Route.device(p("10.7.0.0/24"), "eth0").protocol(RouteProtocol.PODNET));
        kernel.replaceRoute(Route.device(p("10.8.0.0/24"), "eth0").protocol(RouteProtocol.BIRD));

        table.queueResync();
        assertThat(table.apply().deleted()).isEqualTo(1);

        assertThat(kernelHas("10.7.0.0/24")).isFalse();
        assertThat(kernelHas("10.8.0.0/24")).isTrue();
    }

    @Test
    void applyIsIdempotentIncludingAfterAResync() {
        table.setRoute(vxlanRoute("10.244.2.0/24", "10.244.2.0"));
        table.setRoute(Route.device(p("10.244.3.0/24"), "eth0"));
        table.setRoute(Route.to(p("10.244.4.0/26")).type(RouteType.BLACKHOLE));
        table.setRoute(Route.via(p("fd00:244:2::/64"), IpAddress.parse("fd00::2"), "flannel.1").withOnlink());
        table.setRoute(Route.to(p("fd00:244:9::/64")).type(RouteType.BLACKHOLE));
        table.setRoute(Route.via(p("10.244.5.0/24"), IpAddress.parse("192.168.1.5"), "eth0").metric(100));
        assertThat(table.apply().updated()).isEqualTo(6);
        kernel.resetCalls();

        assertThat(table.apply()).satisfies(r -> assertThat(r.updated() + r.deleted()).isZero());
        table.queueResync();
        ApplyResult again = table.apply();

        assertThat(again.resynced()).isTrue();
        assertThat(kernel.writes()).as("kernel defaults (v6 metric 1024, blackhole on lo, scope link) are normalized").isZero();
    }

    @Test
    void routeThroughMissingDeviceWaitsForTheDevice() {
        table.setRoute(Route.device(p("10.65.0.7/32"), "cali0a1b"));

        ApplyResult r = table.apply();
        assertThat(r.ok()).isFalse();
        assertThat(r.failures().getFirst().error()).hasMessageContaining("ENODEV");
        assertThat(table.pendingCount()).isEqualTo(1);

        kernel.createLink("cali0a1b", LinkKind.Veth.peer(""));
        table.interfaceChanged("cali0a1b");
        assertThat(table.needsApply(clock.instant())).as("backoff is cleared when the device appears").isTrue();
        assertThat(table.apply().ok()).isTrue();
        assertThat(kernelHas("10.65.0.7/32")).isTrue();
    }

    @Test
    void deviceDeletionIsRepairedWhenItComesBack() {
        kernel.createLink("cali0a1b", LinkKind.Veth.peer(""));
        table.setRoute(Route.device(p("10.65.0.7/32"), "cali0a1b"));
        table.apply();
        kernel.removeLink("cali0a1b"); // the kernel drops the route with the device
        kernel.createLink("cali0a1b", LinkKind.Veth.peer(""));
        table.interfaceChanged("cali0a1b");

        assertThat(table.apply().updated()).isEqualTo(1);
        assertThat(kernelHas("10.65.0.7/32")).isTrue();
    }

    @Test
    void interfaceChangedFollowsARouteThatMovedToAnotherDevice() {
        kernel.createLink("cali1", LinkKind.Veth.peer(""));
        kernel.createLink("cali2", LinkKind.Veth.peer(""));
        table.setRoute(Route.device(p("10.65.0.7/32"), "cali1"));
        table.setRoute(Route.device(p("10.65.0.7/32"), "cali2")); // the pod IP was reused by another pod
        table.apply();
        kernel.resetCalls();

        table.interfaceChanged("cali1");
        assertThat(table.isDirty()).as("nothing desired on cali1 any more").isFalse();
        table.interfaceChanged("cali2");
        assertThat(table.apply().updated()).isEqualTo(1);
        assertThat(kernel.calls(Op.ROUTE_LIST)).isZero();
        table.removeRoute(p("10.65.0.7/32"));
        table.apply();
        table.interfaceChanged("cali2");
        assertThat(table.isDirty()).isFalse();
    }

    @Test
    void changingTheMetricReplacesTheOldRoute() {
        table.setRoute(Route.device(p("10.6.0.0/24"), "eth0").metric(100));
        table.apply();
        table.setRoute(Route.device(p("10.6.0.0/24"), "eth0").metric(200));
        table.apply();

        assertThat(kernel.routes()).filteredOn(r -> r.dst().equals(p("10.6.0.0/24")))
                .singleElement().satisfies(r -> assertThat(r.metric()).hasValue(200));
    }

    @Test
    void removeRouteDeletesItFromTheKernel() {
        table.setRoute(vxlanRoute("10.244.2.0/24", "10.244.2.0"));
        table.apply();
        table.removeRoute(p("10.244.2.0/24"));
        assertThat(table.isDirty()).isTrue();

        assertThat(table.apply().deleted()).isEqualTo(1);
        assertThat(kernelHas("10.244.2.0/24")).isFalse();
        assertThat(table.desiredRoute(p("10.244.2.0/24"))).isEmpty();
    }

    @Test
    void stampsItsTableAndProtocol() {
        var t = new RouteTable(kernel, clock, RouteTableConfig.main().withTable(100).withProtocol(RouteProtocol.BIRD));
        t.setRoute(Route.device(p("10.6.0.0/24"), "eth0"));
        t.apply();
        assertThat(kernel.routes()).singleElement().satisfies(r -> {
            assertThat(r.table()).isEqualTo(100);
            assertThat(r.protocol()).isEqualTo(RouteProtocol.BIRD);
        });
    }

    @Test
    void failedResyncListingIsRetried() {
        kernel.failNext(Op.ROUTE_LIST, Errno.ENOBUFS);
        table.setRoute(Route.device(p("10.6.0.0/24"), "eth0"));
        ApplyResult r = table.apply();
        assertThat(r.ok()).isFalse();
        assertThat(kernel.calls(Op.ROUTE_REPLACE)).as("no writes on a stale view").isZero();
        clock.advance(Duration.ofMillis(100));
        assertThat(table.apply().ok()).isTrue();
        assertThat(kernelHas("10.6.0.0/24")).isTrue();
    }

    @Test
    void refusesToOwnKernelRoutes() {
        assertThatThrownBy(() -> RouteTableConfig.main().withProtocol(RouteProtocol.KERNEL))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteTableConfig.main().withTable(255)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void producersShareTheTableAndNoProducersReplaceDeletesAnothersRoutes() throws Exception {
        kernel.createLink("cali0a1b2c3d4e5", LinkKind.Veth.peer(""));
        var shared = new RouteTable(kernel, clock, RouteTableConfig.main().withInterfacePrefixes("cali"));
        shared.replaceRoutes("overlay", java.util.List.of(vxlanRoute("10.244.2.0/24", "10.244.2.0"), vxlanRoute("10.244.3.0/24", "10.244.3.0")));
        shared.setRoute("routed", Route.device(p("10.65.0.7/32"), "cali0a1b2c3d4e5"));
        assertThat(shared.apply().ok()).isTrue();

        shared.replaceRoutes("overlay", java.util.List.of(vxlanRoute("10.244.3.0/24", "10.244.3.0"))); // node 2 went away
        shared.queueResync();
        assertThat(shared.apply().ok()).isTrue();
        assertThat(kernelHas("10.244.2.0/24")).isFalse();
        assertThat(kernelHas("10.244.3.0/24")).isTrue();
        assertThat(kernelHas("10.65.0.7/32")).as("routed mode's host route survives the overlay's change and a resync").isTrue();

        // two producers wanting one destination: it stays until both withdrew it
        shared.setRoute("bgp", vxlanRoute("10.244.3.0/24", "10.244.3.0"));
        shared.replaceRoutes("overlay", java.util.List.of());
        assertThat(shared.apply().ok()).isTrue();
        assertThat(kernelHas("10.244.3.0/24")).isTrue();
        shared.removeRoute("bgp", p("10.244.3.0/24"));
        assertThat(shared.apply().ok()).isTrue();
        assertThat(kernelHas("10.244.3.0/24")).isFalse();
    }

    @Test
    void anOwnedForeignProtocolIsKeptAndAnUnownedOneRefused() {
        var bgp = new RouteTable(kernel, clock, RouteTableConfig.main().withAlsoOwned(RouteProtocol.BIRD));
        bgp.setRoute("bgp", Route.via(p("10.70.0.0/26"), IpAddress.parse("192.168.1.7"), "eth0").protocol(RouteProtocol.BIRD));
        assertThat(bgp.desiredRoute(p("10.70.0.0/26")).orElseThrow().protocol()).isEqualTo(RouteProtocol.BIRD);
        assertThatThrownBy(() -> bgp.setRoute("x", Route.device(p("10.71.0.0/24"), "eth0").protocol(RouteProtocol.STATIC)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void routeEventsRepairADeletedRouteAndRemoveAStrayOneWithoutADump() throws Exception {
        table.setRoute(vxlanRoute("10.244.2.0/24", "10.244.2.0"));
        assertThat(table.apply().ok()).isTrue();
        Route programmed = kernel.routes().stream().filter(r -> r.dst().equals(p("10.244.2.0/24"))).findFirst().orElseThrow();
        kernel.deleteRoute(programmed);                  // ip route del
        table.kernelRouteChanged(programmed, true);      // the monitor's RTM_DELROUTE
        Route stray = Route.device(p("10.9.0.0/24"), "eth0").protocol(RouteProtocol.PODNET);
        kernel.replaceRoute(stray);                      // someone adds a proto 98 route
        table.kernelRouteChanged(stray, false);
        table.kernelRouteChanged(programmed, false);     // the event of our own replace: ignored
        kernel.resetCalls();
        var r = table.apply();
        assertThat(r.resynced()).isFalse();
        assertThat(kernel.calls(Op.ROUTE_LIST)).isZero();
        assertThat(kernelHas("10.244.2.0/24")).isTrue();
        assertThat(kernelHas("10.9.0.0/24")).isFalse();
    }
}
