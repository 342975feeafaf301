package io.podnet.overlay.subnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.datastore.memory.MemoryDatastore;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SubnetManagerTest {
    final ManualClock clock = new ManualClock();
    final MemoryDatastore store = new MemoryDatastore(clock);
    final SubnetManager mgr = new SubnetManager(store, SubnetManager.DEFAULT_PREFIX, new SplittableRandom(1), SubnetManager.LEASE_TTL);

    void config(String json) throws Exception {
        store.put("/coreos.com/network/config", json.getBytes(StandardCharsets.UTF_8));
    }

    static LeaseAttrs node(int i) {
        return new LeaseAttrs(IpAddress.parse("192.168.77." + i), "vxlan", Optional.of(MacAddress.parse("0a:00:00:00:00:" + String.format("%02x", i))), 1);
    }

    @Test
    void parsesFlannelsDocumentedConfigWithFlannelDefaults() {
        NetworkConfig c = NetworkConfig.parse("{\"Network\": \"10.5.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}");
        assertThat(c.subnetLen()).isEqualTo(24);
        assertThat(c.subnetMin()).isEqualTo(IpPrefix.parse("10.5.1.0/24"));
        assertThat(c.subnetMax()).isEqualTo(IpPrefix.parse("10.5.255.0/24"));
        assertThat(c.backend()).isInstanceOf(io.podnet.overlay.subnet.Backend.Vxlan.class);
        assertThat(((io.podnet.overlay.subnet.Backend.Vxlan) c.backend()).vni()).isEqualTo(1);
        assertThat(((io.podnet.overlay.subnet.Backend.Vxlan) c.backend()).effectivePort()).isEqualTo(8472);
        assertThat(NetworkConfig.parse("{\"Network\":\"10.6.0.0/24\"}").subnetLen()).isEqualTo(26);
        assertThat(NetworkConfig.parse("{\"Network\":\"10.6.0.0/16\"}").backend()).isEqualTo(new io.podnet.overlay.subnet.Backend.Udp(0, 0));
        assertThat(NetworkConfig.parse(c.toJson())).isEqualTo(c);
    }

    @Test
    void configErrorsNameTheField() {
        assertThatThrownBy(() -> NetworkConfig.parse("{}")).hasMessageContaining("Network");
        assertThatThrownBy(() -> NetworkConfig.parse("{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":33}")).hasMessageContaining("SubnetLen");
        assertThatThrownBy(() -> NetworkConfig.parse("{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.6.0.0\"}")).hasMessageContaining("SubnetMin");
        assertThatThrownBy(() -> NetworkConfig.parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"ipsec\"}}")).hasMessageContaining("Backend.Type");
        assertThatThrownBy(() -> NetworkConfig.parse("not json")).hasMessageContaining("not valid JSON");
    }

    @Test
    void missingConfigIsAClearError() {
        assertThatThrownBy(() -> mgr.acquire(node(1), Optional.empty())).hasMessageContaining("/coreos.com/network/config");
    }

    @Test
    void nodesGetDistinctSubnetsInsideMinMaxAndRestartsKeepTheirs() throws Exception {
        config("{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.10.0\",\"SubnetMax\":\"10.5.19.0\",\"Backend\":{\"Type\":\"vxlan\"}}");
        Set<IpPrefix> seen = new HashSet<>();
        for (int i = 1; i <= 10; i++) {
            SubnetLease l = mgr.acquire(node(i), Optional.empty());
            assertThat(l.subnet().compareTo(IpPrefix.parse("10.5.10.0/24"))).isGreaterThanOrEqualTo(0);
            assertThat(l.subnet().compareTo(IpPrefix.parse("10.5.19.0/24"))).isLessThanOrEqualTo(0);
            assertThat(seen.add(l.subnet())).isTrue();
        }
        SubnetLease again = mgr.acquire(node(3), Optional.empty());
        assertThat(mgr.leases()).hasSize(10);
        assertThat(seen).contains(again.subnet());
        assertThatThrownBy(() -> mgr.acquire(node(11), Optional.empty()))
                .isInstanceOf(SubnetExhaustedException.class).hasMessageContaining("out of subnets").hasMessageContaining("10.5.10.0");
    }

    @Test
    void previousSubnetFromSubnetEnvIsPreferredWhenFree() throws Exception {
        config("{\"Network\":\"10.5.0.0/16\"}");
        SubnetLease l = mgr.acquire(node(1), Optional.of(IpPrefix.parse("10.5.77.0/24")));
        assertThat(l.subnet()).isEqualTo(IpPrefix.parse("10.5.77.0/24"));
        assertThat(new String(store.get("/coreos.com/network/subnets/10.5.77.0-24").orElseThrow().value())).contains("\"PublicIP\":\"192.168.77.1\"")
                .contains("\"BackendType\":\"vxlan\"").contains("\"VtepMAC\":\"0a:00:00:00:00:01\"");
    }

    @Test
    void leaseExpiryRemovesTheSubnetAndWatchersSeeItGo() throws Exception {
        config("{\"Network\":\"10.5.0.0/16\"}");
        List<LeaseWatcher.LeaseEvent> events = new CopyOnWriteArrayList<>();
        SubnetLease a = mgr.acquire(node(1), Optional.empty());
        try (LeaseWatcher w = LeaseWatcher.start(mgr, events::addAll, new io.podnet.dataplane.fake.ManualScheduler(clock))) {
            assertThat(events).containsExactly(new LeaseWatcher.LeaseEvent.Added(a));
            SubnetLease b = mgr.acquire(node(2), Optional.empty());
            clock.advance(Duration.ofHours(23));
            mgr.renew(a);                       // a is renewed before expiry, b is not
            clock.advance(Duration.ofHours(2));
            store.expireLeases();
            awaitUntil(() -> events.contains(new LeaseWatcher.LeaseEvent.Removed(b.subnet())));
            assertThat(w.leases()).containsOnlyKeys(a.subnet());
            assertThat(events).noneMatch(e -> e.equals(new LeaseWatcher.LeaseEvent.Removed(a.subnet())));
        }
    }

    @Test
    void compactionMakesTheWatcherRelistAndDeliverTheDiff() throws Exception {
        config("{\"Network\":\"10.5.0.0/16\"}");
        List<LeaseWatcher.LeaseEvent> events = new CopyOnWriteArrayList<>();
        SubnetLease a = mgr.acquire(node(1), Optional.empty());
        try (LeaseWatcher w = LeaseWatcher.start(mgr, events::addAll, new io.podnet.dataplane.fake.ManualScheduler(clock))) {
            SubnetLease b = mgr.acquire(node(2), Optional.empty());
            awaitUntil(() -> w.leases().size() == 2);
            assertThat(w.leases()).containsKeys(a.subnet(), b.subnet());
            mgr.release(a);
            awaitUntil(() -> !w.leases().containsKey(a.subnet()));
        }
    }

    static void awaitUntil(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 5 s");
            Thread.onSpinWait();
        }
    }
}
