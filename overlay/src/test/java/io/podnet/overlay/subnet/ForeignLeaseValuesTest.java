package io.podnet.overlay.subnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.datastore.memory.MemoryDatastore;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * A foreign writer puts values under the subnets prefix that are not flannel's lease JSON: the watcher skips
 * them, reports each with its key, keeps serving, and delivers the next real lease.
 */
class ForeignLeaseValuesTest {
    static final String KEY = "/coreos.com/network/subnets/10.5.9.0-24";
    static final String GOOD = "{\"PublicIP\":\"192.168.77.9\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0a:00:00:00:00:09\"}}";

    final ManualClock clock = new ManualClock();
    final MemoryDatastore store = new MemoryDatastore(clock);
    final SubnetManager mgr = new SubnetManager(store, SubnetManager.DEFAULT_PREFIX, new SplittableRandom(1), SubnetManager.LEASE_TTL);

    static List<byte[]> foreign() {
        return List.of("not json".getBytes(StandardCharsets.UTF_8), "[]".getBytes(), "{}".getBytes(), "null".getBytes(),
                "{\"PublicIP\":5}".getBytes(), "{\"PublicIP\":\"192.168.77.9\",\"BackendData\":[1]}".getBytes(),
                "{\"PublicIP\":\"192.168.77.9\",\"BackendType\":7}".getBytes(),
                "{\"PublicIP\":\"192.168.77.9\",\"BackendData\":{\"VtepMAC\":\"zz\"}}".getBytes(),
                "{\"PublicIP\":\"192.168.77.9\",\"BackendData\":{\"VNI\":\"x\",\"VtepMAC\":{}}}".getBytes(),
                ("[".repeat(100_000)).getBytes(), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}, new byte[0],
                ("{\"PublicIP\":\"" + "9".repeat(1 << 20) + "\"}").getBytes());
    }

    @Test
    void foreignValuesAreSkippedWithTheirKeyAndTheWatchGoesOn() throws Exception {
        store.put("/coreos.com/network/config", "{\"Network\":\"10.5.0.0/16\"}".getBytes());
        store.put(KEY, "garbage at start".getBytes());
        List<LeaseWatcher.LeaseEvent> events = new CopyOnWriteArrayList<>();
        try (LeaseWatcher w = LeaseWatcher.start(mgr, events::addAll, new ManualScheduler(clock))) {
            assertThat(w.skipped()).containsOnlyKeys(KEY);
            assertThat(events).isEmpty();
            int n = 10;
            for (byte[] v : foreign()) store.put("/coreos.com/network/subnets/10.5." + n++ + ".0-24", v);
            store.put(KEY, GOOD.getBytes());
            SubnetManagerTest.awaitUntil(() -> w.leases().size() == 1);
            assertThat(w.leases().values().iterator().next().attrs().publicIp()).isEqualTo(IpAddress.parse("192.168.77.9"));
            SubnetManagerTest.awaitUntil(() -> w.skipped().size() == foreign().size());
            assertThat(w.skipped()).doesNotContainKey(KEY).allSatisfy((k, why) -> assertThat(why).isNotBlank());
            store.put(KEY, "{\"PublicIP\":".getBytes()); // overwritten by a foreign writer: the last good lease stays
            SubnetManagerTest.awaitUntil(() -> w.skipped().containsKey(KEY));
            assertThat(w.leases()).hasSize(1);
            SubnetLease mine = mgr.acquire(new LeaseAttrs(IpAddress.parse("192.168.77.1"), "vxlan",
                    Optional.of(MacAddress.parse("0a:00:00:00:00:01")), 1), Optional.empty());
            SubnetManagerTest.awaitUntil(() -> w.leases().containsKey(mine.subnet())); // still watching
        }
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheWatch() throws Exception {
        store.put("/coreos.com/network/config", "{\"Network\":\"10.5.0.0/16\"}".getBytes());
        List<LeaseWatcher.LeaseEvent> seen = new CopyOnWriteArrayList<>();
        try (LeaseWatcher w = LeaseWatcher.start(mgr, ev -> {
            seen.addAll(ev);
            throw new IllegalStateException("listener bug");
        }, new ManualScheduler(clock))) {
            store.put(KEY, GOOD.getBytes());
            SubnetManagerTest.awaitUntil(() -> seen.size() == 1);
            store.put("/coreos.com/network/subnets/10.5.10.0-24", GOOD.replace(".9\"", ".10\"").getBytes());
            SubnetManagerTest.awaitUntil(() -> seen.size() == 2);
            assertThat(w.leases()).hasSize(2);
        }
    }

    @Provide
    Arbitrary<byte[]> values() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
        Arbitrary<byte[]> mutated = Arbitraries.integers().between(0, GOOD.length() - 1).list().ofMaxSize(6).map(cuts -> {
            byte[] b = GOOD.getBytes(StandardCharsets.UTF_8);
            String junk = "{}[]\":,0a\\\u0000x";
            for (int c : cuts) b[c] = (byte) junk.charAt(c % junk.length());
            return b;
        });
        return Arbitraries.oneOf(raw, mutated, Arbitraries.of(foreign()));
    }

    @Property(tries = 300)
    void arbitraryValuesNeverStopTheWatcher(@ForAll("values") byte[] value) throws Exception {
        store.put("/coreos.com/network/config", "{\"Network\":\"10.5.0.0/16\"}".getBytes());
        List<LeaseWatcher.LeaseEvent> events = new CopyOnWriteArrayList<>();
        try (LeaseWatcher w = LeaseWatcher.start(mgr, events::addAll, new ManualScheduler(clock))) {
            store.put(KEY, value);
            store.put("/coreos.com/network/subnets/10.5.10.0-24", GOOD.replace(".9\"", ".10\"").getBytes());
            SubnetManagerTest.awaitUntil(() -> w.leases().keySet().stream().anyMatch(s -> s.toString().equals("10.5.10.0/24")));
            assertThat(w.leases().size() + w.skipped().size()).isEqualTo(2); // each key is a lease or reported
        } finally {
            store.delete(KEY);
            store.delete("/coreos.com/network/subnets/10.5.10.0-24");
        }
    }
}
