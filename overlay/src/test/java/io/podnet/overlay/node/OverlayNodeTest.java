package io.podnet.overlay.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.datastore.memory.MemoryDatastore;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.overlay.subnet.LeaseAttrs;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetLease;
import io.podnet.overlay.subnet.SubnetManager;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import io.podnet.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The overlay from leases to the node's tables on a FakeKernel: no root, a manual clock, an etcd that can fail. */
class OverlayNodeTest {
    static final MacAddress VTEP2 = MacAddress.parse("0a:58:0a:f4:02:00");
    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final FakeKernel kernel = new FakeKernel();
    private final MemoryDatastore memory = new MemoryDatastore(clock);
    private final FlakyDatastore store = new FlakyDatastore(memory);
    private final SubnetManager other = new SubnetManager(memory);
    @TempDir
    Path dir;
    private NodeDataplane dp;
    private OverlayNode overlay;

    @BeforeEach
    void setUp() throws Exception {
        kernel.createLink("eth0", new LinkKind.Device());
        kernel.replaceAddress(Address.of("eth0", "192.168.200.1/24"));
        kernel.replaceRoute(Route.via(IpPrefix.DEFAULT_V4, IpAddress.parse("192.168.200.254"), "eth0"));
        other.writeConfig(NetworkConfig.parse("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"VNI\":1}}"));
        other.acquire(new LeaseAttrs(IpAddress.parse("192.168.200.2"), "vxlan", Optional.of(VTEP2), 1), Optional.of(IpPrefix.parse("10.244.2.0/24")));
        dp = NodeDataplane.create(kernel, clock, scheduler, NodeDataplane.Config.DEFAULT);
        overlay = node(dp);
    }

    @AfterEach
    void tearDown() {
        overlay.close();
        dp.close();
    }

    private OverlayNode node(NodeDataplane d) {
        var s = new OverlayNode.Settings("/coreos.com/network", Optional.empty(), Optional.empty(), dir.resolve("subnet.env"), true, true,
                dir.resolve("overlay.json"));
        return new OverlayNode(d, store, s, clock, scheduler, Runnable::run, (dev, local, port, off) -> { throw new AssertionError("no udp here"); });
    }

    private Optional<Link> link(String name) {
        return kernel.links().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    private static void await(BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not reached within 10 s");
            Thread.onSpinWait();
        }
    }

    @Test
    void leasesBecomeTheDevicesNeighboursFdbEntriesAndRoutes() throws Exception {
        dp.start();
        overlay.start();
        assertThat(overlay.isOnline()).isTrue();
        IpPrefix mine = overlay.lease().orElseThrow().subnet();
        dp.applyNow();
        Link vx = link("flannel.1").orElseThrow();
        assertThat(vx.kind()).isInstanceOfSatisfying(LinkKind.Vxlan.class, v -> assertThat(v.local()).contains(IpAddress.parse("192.168.200.1")));
        assertThat(vx.mtu()).isEqualTo(1450);
        assertThat(kernel.addresses()).contains(Address.of("flannel.1", mine.address() + "/32"));
        assertThat(kernel.neighbors()).contains(Neighbor.permanent("flannel.1", IpAddress.parse("10.244.2.0"), VTEP2));
        assertThat(kernel.fdbEntries()).contains(FdbEntry.vxlan("flannel.1", VTEP2, IpAddress.parse("192.168.200.2")));
        assertThat(kernel.routes()).anyMatch(r -> r.dst().equals(IpPrefix.parse("10.244.2.0/24")) && r.dev().equals(Optional.of("flannel.1")));
        assertThat(kernel.nftRuleset().orElseThrow().render()).contains("chain overlay_masq").contains("ip saddr 10.244.0.0/16");
        assertThat(kernel.sysctl("net/ipv4/ip_forward")).contains("1");
        assertThat(Files.readString(dir.resolve("subnet.env"))).contains("FLANNEL_NETWORK=10.244.0.0/16").contains("FLANNEL_MTU=1450");
        // the lease announces the device's MAC
        assertThat(other.leases()).anyMatch(l -> l.subnet().equals(mine) && l.attrs().vtepMac().equals(vx.mac()));

        // node 2 leaves: its three entries go, nothing else changes
        SubnetLease two = other.leases().stream().filter(l -> l.subnet().equals(IpPrefix.parse("10.244.2.0/24"))).findFirst().orElseThrow();
        other.release(two);
        await(() -> dp.routes().desiredRoute(IpPrefix.parse("10.244.2.0/24")).isEmpty());
        dp.applyNow();
        assertThat(kernel.neighbors()).isEmpty();
        assertThat(kernel.fdbEntries()).isEmpty();
        assertThat(kernel.routes()).noneMatch(r -> r.dst().equals(IpPrefix.parse("10.244.2.0/24")));
        assertThat(link("flannel.1")).isPresent();
    }

    @Test
    void aRestartWithEtcdDownRestoresEverythingBeforeTheFirstPassAndRemovesNothing() throws Exception {
        dp.start();
        overlay.start();
        dp.applyNow();
        MacAddress vtep = link("flannel.1").orElseThrow().mac().orElseThrow();
        overlay.close();
        dp.close(); // SIGKILL: the kernel keeps everything

        store.down(true);
        NodeDataplane next = NodeDataplane.create(kernel, clock, scheduler, NodeDataplane.Config.DEFAULT);
        OverlayNode again = node(next);
        try {
            assertThat(again.restore()).isTrue();
            kernel.resetCalls();
            assertThat(next.start().ok()).isTrue();
            again.start(); // etcd is down: retried in the background
            assertThat(again.isOnline()).isFalse();
            assertThat(kernel.writes()).as("nothing rewritten or removed: " + kernel.journal()).isZero();

            // the device deleted while etcd is down: recreated with the same VTEP MAC
            kernel.removeLink("flannel.1");
            next.repair("flannel.1");
            assertThat(link("flannel.1").orElseThrow().mac()).contains(vtep);
            assertThat(kernel.fdbEntries()).contains(FdbEntry.vxlan("flannel.1", VTEP2, IpAddress.parse("192.168.200.2")));

            store.down(false);
            clock.advance(Duration.ofSeconds(1));
            scheduler.runDue();
            assertThat(again.isOnline()).isTrue();
            assertThat(again.lease().orElseThrow().attrs().vtepMac()).contains(vtep);
        } finally {
            again.close();
            next.close();
        }
    }

    @Test
    void aRenewalDuringAnEtcdOutageIsRetriedWithBackoffUntilItWorks() throws Exception {
        dp.start();
        overlay.start();
        IpPrefix mine = overlay.lease().orElseThrow().subnet();
        int before = store.keepAlives();

        clock.advance(Duration.ofHours(23));
        store.down(true);
        scheduler.runDue(); // renewal time: etcd is down
        assertThat(overlay.renewalFailures()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        scheduler.runDue();
        assertThat(overlay.renewalFailures()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(2));
        scheduler.runDue();
        assertThat(overlay.renewalFailures()).isEqualTo(3);

        store.down(false); // etcd is back 3 s later: the next retry (4 s on) renews
        clock.advance(Duration.ofSeconds(4));
        scheduler.runDue();
        assertThat(store.keepAlives()).isGreaterThan(before);

        clock.advance(Duration.ofMinutes(61)); // past the original 24 h expiry
        memory.expireLeases();
        assertThat(other.leases()).as("the renewed lease is still held").anyMatch(l -> l.subnet().equals(mine))
                .as("node 2 never renewed: its lease expired").noneMatch(l -> l.subnet().equals(IpPrefix.parse("10.244.2.0/24")));
    }
}
