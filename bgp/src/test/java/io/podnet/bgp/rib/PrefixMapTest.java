package io.podnet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrefixMapTest {
    @Test
    void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
        PrefixMap<Integer> m = new PrefixMap<>();
        Map<IpPrefix, Integer> ref = new HashMap<>();
        Random r = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            IpPrefix p = r.nextInt(10) == 0
                    ? IpPrefix.of(IpAddress.parse("fd00::" + Integer.toHexString(r.nextInt(5000))), 128)
                    : IpPrefix.of(IpAddress.v4(r.nextInt(20_000) << 8), 16 + r.nextInt(17));
            if (r.nextInt(3) == 0) {
                assertThat(m.remove(p)).isEqualTo(ref.remove(p));
            } else {
                assertThat(m.put(p, i)).isEqualTo(ref.put(p, i));
            }
        }
        assertThat(m.size()).isEqualTo(ref.size());
        ref.forEach((p, v) -> assertThat(m.get(p)).isEqualTo(v));
        Map<IpPrefix, Integer> back = new HashMap<>();
        m.forEach(back::put);
        assertThat(back).isEqualTo(ref);
        assertThat(m.get(IpPrefix.parse("0.0.0.0/0"))).isNull();
        m.put(IpPrefix.parse("0.0.0.0/0"), -1);
        assertThat(m.get(IpPrefix.parse("0.0.0.0/0"))).isEqualTo(-1);
    }

    @Test
    void packsEveryIpv4LengthIncludingTheEdges() {
        PrefixMap<String> m = new PrefixMap<>();
        for (String s : java.util.List.of("0.0.0.0/0", "128.0.0.0/1", "255.255.255.254/31", "0.0.0.0/31", "0.0.0.0/32",
                "255.255.255.255/32", "10.0.0.0/8", "10.0.0.0/24", "10.0.0.0/16")) {
            m.put(IpPrefix.parse(s), s);
        }
        assertThat(m.size()).isEqualTo(9);
        m.forEach((p, v) -> assertThat(p).isEqualTo(IpPrefix.parse(v)));
        assertThat(m.keyView()).containsExactlyInAnyOrderElementsOf(m.keys()).hasSize(9);
    }

    @Test
    void capacityFollowsTheSizeUpAndDown() {
        PrefixMap<Integer> m = new PrefixMap<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) m.put(IpPrefix.of(IpAddress.v4((20 << 24) + (i << 8)), 24), i);
        assertThat(m.capacity()).isBetween(n * 4 / 3, n * 5 / 3 + 16);
        java.util.List<IpPrefix> polled = m.pollKeys(n - 1000);
        assertThat(polled).hasSize(n - 1000).doesNotHaveDuplicates();
        assertThat(m.size()).isEqualTo(1000);
        polled.forEach(p -> assertThat(m.get(p)).isNull());
        for (int i = 0; i < n; i++) m.remove(IpPrefix.of(IpAddress.v4((20 << 24) + (i << 8)), 24)); // removal shrinks
        assertThat(m.isEmpty()).isTrue();
        assertThat(m.capacity()).isLessThan(64);
        for (int i = 0; i < 3000; i++) m.put(IpPrefix.of(IpAddress.v4((20 << 24) + (i << 8)), 24), i);
        int cap = m.capacity();
        assertThat(m.pollKeys(2000)).hasSize(2000);
        assertThat(m.capacity()).isEqualTo(cap); // a partially drained work set keeps its arrays
        assertThat(m.pollKeys(5000)).hasSize(1000);
        assertThat(m.isEmpty()).isTrue();
    }

    @Test
    void pollValuesReturnsTheStoredObjects() {
        PrefixMap<IpPrefix> set = new PrefixMap<>();
        java.util.List<IpPrefix> in = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) in.add(IpPrefix.of(IpAddress.v4(i << 8), 24));
        in.add(IpPrefix.parse("10.0.0.1/32"));
        in.add(IpPrefix.parse("fd00::/64"));
        in.forEach(p -> set.put(p, p));
        java.util.List<IpPrefix> out = new java.util.ArrayList<>(set.pollValues(60));
        out.addAll(set.pollValues(60));
        assertThat(set.isEmpty()).isTrue();
        assertThat(out).hasSize(102);
        java.util.Set<IpPrefix> identity = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        identity.addAll(out);
        assertThat(identity).containsExactlyInAnyOrderElementsOf(in);
    }

    @Test
    void drainingOneMapInTheOrderOfAnotherWithTheSameKeysKeepsProbeRunsShort() {
        // A Loc-RIB losing a dropped Adj-RIB-In's prefixes: removal in the other table's order, across shrinks.
        // With one hash layout for both tables the shrink packed the remaining keys into one huge run (a hang).
        PrefixMap<Integer> loc = new PrefixMap<>(), dropped = new PrefixMap<>();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            IpPrefix p = IpPrefix.of(IpAddress.v4((1 << 24) + (i << 8)), 24);
            loc.put(p, i);
            dropped.put(p, i);
        }
        int removed = 0, missing = 0, worst = 0;
        for (IpPrefix p : dropped.keyView()) {
            if (loc.remove(p) == null) missing++; // counted, not asserted per key: 200k AssertJ calls cost seconds
            if (++removed % 10_000 == 0) worst = Math.max(worst, loc.longestRun());
        }
        assertThat(missing).isZero();
        assertThat(loc.size()).isZero();
        assertThat(worst).as("longest probe run while draining").isLessThan(1000);
    }

    @Test
    void fillingAMapInTheOrderOfAnotherKeepsProbeRunsShort() {
        // A speaker's Adj-RIB-In filled from a podnet peer that streams its Loc-RIB in table order, or a Loc-RIB
        // filled from a drained dirty set: inserting keys in one table's order into a smaller, growing table with
        // the same layout puts them all in one probe run (quadratic).
        PrefixMap<Integer> source = new PrefixMap<>(), target = new PrefixMap<>();
        int n = 200_000;
        for (int i = 0; i < n; i++) source.put(IpPrefix.of(IpAddress.v4((1 << 24) + (i << 8)), 24), i);
        int added = 0, worst = 0;
        for (IpPrefix p : source.keyView()) {
            target.put(p, 0);
            if (++added % 10_000 == 0) worst = Math.max(worst, target.longestRun());
        }
        assertThat(target.size()).isEqualTo(n);
        assertThat(worst).as("longest probe run while filling").isLessThan(1000);
    }
}
