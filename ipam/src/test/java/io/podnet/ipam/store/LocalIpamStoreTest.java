package io.podnet.ipam.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.ipam.IpamConfig;
import io.podnet.ipam.IpamException;
import io.podnet.ipam.IpamException.Reason;
import io.podnet.ipam.Owner;
import io.podnet.ipam.RangeSet;
import io.podnet.net.IpAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalIpamStoreTest {
    @TempDir
    Path dir;

    static List<RangeSet> sets(String rangesJson) throws Exception {
        return IpamConfig.decode(new ObjectMapper().readTree("{\"ranges\":" + rangesJson + "}"), "n", Optional.empty()).rangeSets();
    }

    static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    static Owner owner(String cid) {
        return new Owner(cid, "eth0");
    }

    LocalIpamStore open() throws Exception {
        return LocalIpamStore.open(dir.resolve("net1"), true);
    }

    @Test
    void allocatesRoundRobinInHostLocalsOnDiskFormat() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            assertThat(s.allocate(owner("a"), v4, List.of())).containsExactly(ip("10.1.0.2"));
            assertThat(s.allocate(owner("b"), v4, List.of())).containsExactly(ip("10.1.0.3"));
            s.release(owner("a"));
            assertThat(s.allocate(owner("c"), v4, List.of())).as("round robin, not lowest free").containsExactly(ip("10.1.0.4"));
        }
        Path net = dir.resolve("net1");
        assertThat(Files.readString(net.resolve("10.1.0.3"))).isEqualTo("b\r\neth0");
        assertThat(Files.readString(net.resolve("last_reserved_ip.0"))).isEqualTo("10.1.0.4");
        assertThat(Files.exists(net.resolve("10.1.0.2"))).isFalse();
        try (var files = Files.list(net)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(LocalIpamStore.TMP_PREFIX));
        }
    }

    @Test
    void dualStackIsAllOrNothing() throws Exception {
        var sets = sets("[[{\"subnet\":\"10.1.0.0/24\"}],[{\"subnet\":\"fd00::/64\",\"rangeStart\":\"fd00::2\",\"rangeEnd\":\"fd00::2\"}]]");
        try (var s = open()) {
            assertThat(s.allocate(owner("a"), sets, List.of())).containsExactly(ip("10.1.0.2"), ip("fd00::2"));
            assertThatThrownBy(() -> s.allocate(owner("b"), sets, List.of()))
                    .isInstanceOfSatisfying(IpamException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.EXHAUSTED);
                        assertThat(e.getMessage()).isEqualTo("no IP addresses available in range set: fd00::2-fd00::2");
                        assertThat(e.toCni().code()).isEqualTo(101);
                    });
            assertThat(s.reservations()).hasSize(2).doesNotContainKey(ip("10.1.0.3"));
        }
    }

    @Test
    void exhaustsASmallRangeThenReusesReleasedAddresses() throws Exception {
        var small = sets("[[{\"subnet\":\"10.1.0.0/29\"}]]"); // .2-.6 allocatable
        try (var s = open()) {
            Set<IpAddress> got = new HashSet<>();
            for (int i = 0; i < 5; i++) got.addAll(s.allocate(owner("c" + i), small, List.of()));
            assertThat(got).hasSize(5).doesNotContain(ip("10.1.0.1"));
            assertThatThrownBy(() -> s.allocate(owner("x"), small, List.of())).hasMessageContaining("10.1.0.1-10.1.0.6");
            s.release(owner("c2"));
            assertThat(s.allocate(owner("x"), small, List.of())).containsExactly(ip("10.1.0.4"));
        }
    }

    @Test
    void requestedAddressesFollowHostLocalRules() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            assertThat(s.allocate(owner("a"), v4, List.of(ip("10.1.0.77")))).containsExactly(ip("10.1.0.77"));
            assertThatThrownBy(() -> s.allocate(owner("b"), v4, List.of(ip("10.1.0.77"))))
                    .isInstanceOfSatisfying(IpamException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REQUESTED_UNAVAILABLE));
            assertThatThrownBy(() -> s.allocate(owner("b"), v4, List.of(ip("10.1.0.1")))).hasMessageContaining("gateway");
            assertThatThrownBy(() -> s.allocate(owner("b"), v4, List.of(ip("10.9.0.1")))).hasMessageContaining("failed to allocate all requested IPs");
            assertThat(s.addressesOf(owner("b"))).isEmpty();
        }
    }

    @Test
    void rejectsADuplicateAllocationForTheSameAttachment() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            s.allocate(owner("a"), v4, List.of());
            assertThatThrownBy(() -> s.allocate(owner("a"), v4, List.of()))
                    .isInstanceOfSatisfying(IpamException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.DUPLICATE);
                        assertThat(e.getMessage()).contains("duplicate allocation is not allowed");
                    });
            assertThat(s.allocate(new Owner("a", "net1"), v4, List.of())).hasSize(1);
        }
    }

    @Test
    void releaseIsIdempotentAndTouchesOnlyTheOwner() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            s.allocate(owner("a"), v4, List.of());
            s.allocate(new Owner("a", "net1"), v4, List.of());
            s.allocate(owner("b"), v4, List.of());
            assertThat(s.release(owner("a"))).hasSize(1);
            assertThat(s.release(owner("a"))).isEmpty();
            assertThat(s.release(owner("never"))).isEmpty();
            assertThat(s.reservations().values()).containsExactlyInAnyOrder(new Owner("a", "net1"), owner("b"));
        }
    }

    @Test
    void gcReleasesEverythingNotValid() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            for (String c : List.of("a", "b", "c", "d")) s.allocate(owner(c), v4, List.of());
            Map<Owner, List<IpAddress>> gone = s.releaseAllExcept(List.of(owner("b"), owner("d"), owner("zzz")));
            assertThat(gone.keySet()).containsExactlyInAnyOrder(owner("a"), owner("c"));
            assertThat(s.reservations().values()).containsExactlyInAnyOrder(owner("b"), owner("d"));
            assertThat(s.releaseAllExcept(List.of(owner("b"), owner("d")))).isEmpty();
        }
    }

    @Test
    void checkVerifiesTheReservation() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            IpAddress a = s.allocate(owner("a"), v4, List.of()).get(0);
            s.check(owner("a"), List.of(a));
            assertThatThrownBy(() -> s.check(owner("a"), List.of(ip("10.1.0.99")))).isInstanceOfSatisfying(IpamException.class,
                    e -> assertThat(e.toCni().code()).isEqualTo(104));
            assertThatThrownBy(() -> s.check(owner("nobody"), List.of())).hasMessageContaining("no IP reservation");
        }
    }

    @Test
    void reopeningRebuildsTheIndexAndDropsCrashLeftovers() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            s.allocate(owner("a"), v4, List.of());
            s.allocate(owner("b"), v4, List.of());
        }
        Path net = dir.resolve("net1");
        Files.writeString(net.resolve(LocalIpamStore.TMP_PREFIX + "10.1.0.9-1-0"), "crashed\r\neth0");
        Files.writeString(net.resolve("10.1.0.10"), ""); // created, never written (a crashed host-local)
        Files.writeString(net.resolve("10.1.0.11"), "legacy-id"); // old host-local: id only
        Files.writeString(net.resolve("README"), "hello");
        try (var s = open()) {
            ReconcileReport r = s.lastScan();
            assertThat(r.reservations()).isEqualTo(3);
            assertThat(r.removedTempFiles()).hasSize(1);
            assertThat(r.removedEmptyFiles()).containsExactly("10.1.0.10");
            assertThat(r.unknownFiles()).containsExactly("README");
            assertThat(s.addressesOf(owner("b"))).containsExactly(ip("10.1.0.3"));
            assertThat(s.release(new Owner("legacy-id", "eth0"))).containsExactly(ip("10.1.0.11"));
            assertThat(s.allocate(owner("c"), v4, List.of())).containsExactly(ip("10.1.0.4"));
        }
    }

    @Test
    void aReservationIsTakenAtOnceDurableLaterAndCancelledExactly() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            Reservation r = s.reserve(owner("a"), v4, List.of());
            assertThat(r.ips()).containsExactly(ip("10.1.0.2"));
            assertThat(s.reserve(owner("b"), v4, List.of()).ips()).as("taken before it is durable").containsExactly(ip("10.1.0.3"));
            r.awaitDurable();
            assertThat(r.syncWaitNanos()).isNotNegative();
            assertThat(r.timing().lockHeldNanos()).isPositive();
            r.cancel();
            r.cancel(); // idempotent
            assertThat(s.reservations()).containsOnlyKeys(ip("10.1.0.3"));
            assertThat(Files.exists(dir.resolve("net1").resolve("10.1.0.2"))).isFalse();
        }
        try (var tmp = Files.list(dir.resolve("net1").resolve(LocalIpamStore.TMP_DIR))) {
            assertThat(tmp).as("spent temp names are unlinked (close waits for it)").isEmpty();
        }
    }

    @Test
    void concurrentDurableReservationsShareDirectorySyncs() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/22\"}]]");
        try (var s = open(); var pool = Executors.newFixedThreadPool(16)) {
            List<java.util.concurrent.Future<List<IpAddress>>> fs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int n = i;
                fs.add(pool.submit(() -> s.allocate(owner("g" + n), v4, List.of())));
            }
            java.util.Set<IpAddress> got = new java.util.HashSet<>();
            for (var f : fs) got.addAll(f.get());
            assertThat(got).hasSize(64);
            assertThat(s.syncs()).as("group commit").isBetween(1L, 64L);
        }
    }

    @Test
    void parallelThreadsGetUniqueAddresses() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/22\"}]]");
        ConcurrentLinkedQueue<IpAddress> got = new ConcurrentLinkedQueue<>();
        try (var s = LocalIpamStore.open(dir.resolve("net1"), false); var pool = Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) got.addAll(s.allocate(owner("t" + tt + "-" + i), v4, List.of()));
                    return null;
                }));
            }
            for (var f : fs) f.get();
            assertThat(got).hasSize(400).doesNotHaveDuplicates();
            assertThat(s.reservations()).hasSize(400);
        }
    }

    @Test
    void seesChangesMadeByAnotherWriterOfTheDirectory() throws Exception {
        var v4 = sets("[[{\"subnet\":\"10.1.0.0/24\"}]]");
        try (var s = open()) {
            s.allocate(owner("a"), v4, List.of());
            Files.writeString(dir.resolve("net1/10.1.0.3"), "foreign\r\neth0"); // as host-local would
            assertThat(s.addressesOf(new Owner("foreign", "eth0"))).containsExactly(ip("10.1.0.3"));
            assertThat(s.allocate(owner("b"), v4, List.of())).containsExactly(ip("10.1.0.4"));
        }
    }
}
