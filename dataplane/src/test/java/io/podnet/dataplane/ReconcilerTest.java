package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.Errno;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
    private static final String VX = "flannel.1";
    private static final MacAddress VTEP2 = MacAddress.parse("0a:58:0a:f4:02:00");
    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final FakeKernel kernel = new FakeKernel();
    private final Reconciler loop = new Reconciler(clock, scheduler, new ReconcilerConfig(Duration.ofSeconds(60), 0.1));
    private RouteTable routes;
    private NeighborTable neigh;
    private FdbTable fdb;
    private AddressSet addrs;

    @BeforeEach
    void setUp() {
        kernel.createLink(VX, LinkKind.Vxlan.of(1, 8472));
        routes = new RouteTable(kernel, clock, RouteTableConfig.main());
        neigh = new NeighborTable(kernel, clock, Set.of(VX));
        fdb = new FdbTable(kernel, clock, Set.of(VX));
        addrs = new AddressSet(kernel, clock, Set.of(VX));
        // registered out of order on purpose: the stage decides
        loop.register(routes);
        loop.register(neigh);
        loop.register(fdb);
        loop.register(addrs);
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** What the flannel vxlan backend does per remote node. */
    private void addRemoteNode(String subnet, String gw, MacAddress vtep, String underlay) {
        neigh.setNeighbor(VX, IpAddress.parse(gw), vtep);
        fdb.setEntry(VX, vtep, IpAddress.parse(underlay));
        routes.setRoute(Route.via(IpPrefix.parse(subnet), IpAddress.parse(gw), VX).withOnlink());
    }

    private void removeRemoteNode(String subnet, String gw, MacAddress vtep, String underlay) {
        routes.removeRoute(IpPrefix.parse(subnet));
        fdb.removeEntry(VX, vtep, IpAddress.parse(underlay));
        neigh.removeNeighbor(VX, IpAddress.parse(gw));
    }

    @Test
    void appliesTablesInStageOrder() {
        var links = new LinkSet(kernel, clock, java.util.List.of());
        loop.register(links);
        links.setLink(io.podnet.rtnetlink.LinkAttrs.named("podnetbr0").up(), new LinkKind.Bridge());
        addRemoteNode("10.244.2.0/24", "10.244.2.0", VTEP2, "192.168.50.12");
        addrs.setAddress(Address.of(VX, "10.244.1.0/32"));

        ApplyReport report = loop.runOnce();

        assertThat(report.ok()).isTrue();
        assertThat(loop.tables()).extracting(DataplaneTable::stage).containsExactly(DataplaneTable.Stage.LINKS,
                DataplaneTable.Stage.ADDRESSES, DataplaneTable.Stage.NEIGHBORS, DataplaneTable.Stage.NEIGHBORS,
                DataplaneTable.Stage.ROUTES);
        assertThat(kernel.journal()).extracting(s -> s.split(" ")[0])
                .containsExactly("LINK_ADD", "ADDR_REPLACE", "NEIGH_REPLACE", "FDB_REPLACE", "ROUTE_REPLACE");
        assertThat(loop.isInSync()).isTrue();
    }

    @Test
    void removesNeighbourFdbAndRouteWhenARemoteNodeGoesAway() {
        addRemoteNode("10.244.2.0/24", "10.244.2.0", VTEP2, "192.168.50.12");
        addRemoteNode("10.244.3.0/24", "10.244.3.0", MacAddress.parse("0a:58:0a:f4:03:00"), "192.168.50.13");
        loop.runOnce();

        removeRemoteNode("10.244.2.0/24", "10.244.2.0", VTEP2, "192.168.50.12");
        kernel.resetCalls();
        assertThat(loop.runOnce().ok()).isTrue();

        assertThat(kernel.routes()).extracting(Route::dst).containsExactly(IpPrefix.parse("10.244.3.0/24"));
        assertThat(kernel.neighbors()).extracting(n -> n.ip().toString()).containsExactly("10.244.3.0");
        assertThat(kernel.fdbEntries()).extracting(e -> e.dst().orElseThrow().toString()).containsExactly("192.168.50.13");
        assertThat(kernel.journal()).extracting(s -> s.split(" ")[0]).containsExactly("NEIGH_DELETE", "FDB_DELETE", "ROUTE_DELETE");
    }

    @Test
    void periodicResyncRepairsOutOfBandEditsWithinTheJitterWindow() throws Exception {
        addRemoteNode("10.244.2.0/24", "10.244.2.0", VTEP2, "192.168.50.12");
        loop.runOnce();
        Instant first = clock.instant();
        assertThat(loop.nextResync().orElseThrow()).isBetween(first.plusSeconds(54), first.plusSeconds(66));
        kernel.deleteRoute(Route.to(IpPrefix.parse("10.244.2.0/24")).protocol(RouteProtocol.PODNET));
        kernel.replaceRoute(Route.device(IpPrefix.parse("10.99.0.0/24"), VX).protocol(RouteProtocol.PODNET));

        clock.advance(Duration.ofSeconds(53));
        assertThat(loop.runOnce().results()).as("nothing due before the window").isEmpty();
        clock.advance(Duration.ofSeconds(14));
        ApplyReport r = loop.runOnce();

        assertThat(r.results()).allSatisfy(x -> assertThat(x.resynced()).isTrue());
        assertThat(kernel.routes()).extracting(Route::dst).containsExactly(IpPrefix.parse("10.244.2.0/24"));
    }

    @Test
    void failedTableIsRetriedWhenItsBackoffExpiresWithoutHoldingBackOthers() {
        kernel.failNext(Op.NEIGH_REPLACE, Errno.EBUSY);
        addRemoteNode("10.244.2.0/24", "10.244.2.0", VTEP2, "192.168.50.12");

        ApplyReport r = loop.runOnce();
        assertThat(r.ok()).isFalse();
        assertThat(r.failures()).singleElement().asString().contains("EBUSY");
        assertThat(kernel.routes()).as("routes still applied").hasSize(1);
        assertThat(scheduler.nextDue()).contains(clock.instant().plusMillis(100));
        assertThat(loop.runOnce().results()).as("in backoff").isEmpty();

        clock.advance(Duration.ofMillis(100));
        assertThat(scheduler.runDue()).isEqualTo(1); // wakes the loop
        ApplyReport retry = loop.runOnce();
        assertThat(retry.tables()).containsExactly(neigh.name());
        assertThat(retry.ok()).isTrue();
        assertThat(kernel.neighbors()).hasSize(1);
    }

    @Test
    void awaitInSyncTimesOutWhileATableWaitsOutItsBackoff() throws Exception {
        kernel.failNext(Op.ROUTE_REPLACE, Errno.EBUSY);
        routes.setRoute(Route.device(IpPrefix.parse("10.5.0.0/24"), VX));
        loop.runOnce();
        assertThat(loop.awaitInSync(Duration.ofMillis(20))).isFalse();
        assertThat(loop.applyNow().ok()).isTrue();
        assertThat(loop.awaitInSync(Duration.ZERO)).isTrue();
    }

    @Test
    void interfaceChangedReachesTablesWithStateOnTheDevice() {
        kernel.createLink("cali1", LinkKind.Veth.peer(""));
        routes.setRoute(Route.device(IpPrefix.parse("10.65.0.7/32"), "cali1"));
        neigh.setNeighbor(VX, IpAddress.parse("10.244.2.0"), VTEP2);
        loop.runOnce();
        kernel.resetCalls();

        loop.interfaceChanged("eth9");
        assertThat(loop.isInSync()).as("an unrelated device changes nothing").isTrue();

        kernel.removeLink("cali1");
        kernel.createLink("cali1", LinkKind.Veth.peer(""));
        loop.interfaceChanged("cali1");
        loop.interfaceChanged(VX);
        assertThat(loop.runOnce().ok()).isTrue();

        assertThat(kernel.calls(Op.ROUTE_LIST)).as("no full route dump for one device").isZero();
        assertThat(kernel.calls(Op.NEIGH_LIST)).isEqualTo(1);
        assertThat(kernel.routes()).extracting(Route::dst).containsExactly(IpPrefix.parse("10.65.0.7/32"));
    }

    @Test
    void applyNowIgnoresBackoffAndReportsFailures() {
        kernel.failNext(Op.ROUTE_REPLACE, Errno.EBUSY);
        routes.setRoute(Route.device(IpPrefix.parse("10.5.0.0/24"), VX));
        assertThat(loop.applyNow().ok()).isFalse();
        assertThat(routes.needsApply(clock.instant())).isFalse();

        ApplyReport now = loop.applyNow();

        assertThat(now.ok()).isTrue();
        assertThat(kernel.routes()).hasSize(1);
    }

    @Test
    void loopThreadAppliesWhenAnInputChangesATable() throws Exception {
        loop.start();
        routes.setRoute(Route.device(IpPrefix.parse("10.5.0.0/24"), VX));
        assertThat(loop.awaitInSync(Duration.ofSeconds(10))).isTrue();
        assertThat(kernel.routes()).hasSize(1);

        routes.removeRoute(IpPrefix.parse("10.5.0.0/24"));
        assertThat(loop.awaitInSync(Duration.ofSeconds(10))).isTrue();
        assertThat(kernel.routes()).isEmpty();
    }

    @Test
    void loopThreadRetriesWhenTheSchedulerFires() throws Exception {
        kernel.failNext(Op.ROUTE_REPLACE, Errno.EBUSY);
        loop.start();
        routes.setRoute(Route.device(IpPrefix.parse("10.5.0.0/24"), VX));
        // the failed pass leaves a wake-up scheduled for the end of the first backoff step
        Instant retry = clock.instant().plusMillis(100);
        awaitKernel(() -> scheduler.nextDue().equals(java.util.Optional.of(retry)));
        assertThat(kernel.routes()).isEmpty();

        clock.advance(Duration.ofMillis(100));
        assertThat(scheduler.runDue()).isEqualTo(1);
        assertThat(loop.awaitInSync(Duration.ofSeconds(10))).isTrue();
        assertThat(kernel.routes()).hasSize(1);
    }

    /** Bounded poll for the loop thread's work (no fixed sleeps). */
    private static void awaitKernel(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached within 10 s");
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
