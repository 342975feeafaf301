package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.NeighborState;
import io.podnet.rtnetlink.Errno;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NeighborFdbTableTest {
    private static final MacAddress VTEP2 = MacAddress.parse("0a:58:0a:f4:02:00");
    private static final MacAddress VTEP3 = MacAddress.parse("0a:58:0a:f4:03:00");
    private static final MacAddress ZERO = MacAddress.parse("00:00:00:00:00:00");
    private final ManualClock clock = new ManualClock();
    private final FakeKernel kernel = new FakeKernel();
    private NeighborTable neigh;
    private FdbTable fdb;

    @BeforeEach
    void setUp() {
        kernel.createLink("flannel.1", LinkKind.Vxlan.of(1, 8472));
        kernel.createLink("eth0", new LinkKind.Device());
        neigh = new NeighborTable(kernel, clock, Set.of("flannel.1"));
        fdb = new FdbTable(kernel, clock, Set.of("flannel.1"));
    }

    private static IpAddress ip(String s) { return IpAddress.parse(s); }

    @Test
    void programsPermanentNeighboursAndDeletesOnlyPermanentOnesOnOwnedDevices() throws Exception {
        kernel.replaceNeighbor(Neighbor.permanent("flannel.1", ip("10.244.9.0"), VTEP3));             // stale, ours
        kernel.replaceNeighbor(new Neighbor("flannel.1", ip("10.244.8.0"), Optional.of(VTEP3), NeighborState.STALE)); // learned
        kernel.replaceNeighbor(Neighbor.permanent("eth0", ip("192.168.1.1"), VTEP3));                  // not our device
        neigh.setNeighbor("flannel.1", ip("10.244.2.0"), VTEP2);

        assertThat(neigh.apply().ok()).isTrue();

        assertThat(kernel.neighbors()).extracting(Neighbor::ip)
                .containsExactlyInAnyOrder(ip("10.244.8.0"), ip("192.168.1.1"), ip("10.244.2.0"));
        assertThat(kernel.neighbors()).contains(Neighbor.permanent("flannel.1", ip("10.244.2.0"), VTEP2));
    }

    @Test
    void changingTheMacReplacesTheEntry() {
        neigh.setNeighbor("flannel.1", ip("10.244.2.0"), VTEP2);
        neigh.apply();
        neigh.setNeighbor("flannel.1", ip("10.244.2.0"), VTEP3);
        neigh.apply();
        assertThat(kernel.neighbors()).containsExactly(Neighbor.permanent("flannel.1", ip("10.244.2.0"), VTEP3));
    }

    @Test
    void onADeviceItDoesNotOwnItTracksOnlyTheEntriesItWants() throws Exception {
        kernel.replaceNeighbor(Neighbor.permanent("eth0", ip("10.0.0.9"), VTEP3)); // an admin's static entry
        neigh.setNeighbor("eth0", ip("10.0.0.1"), VTEP2);
        assertThat(neigh.apply().ok()).isTrue();
        assertThat(kernel.neighbors()).contains(Neighbor.permanent("eth0", ip("10.0.0.1"), VTEP2), Neighbor.permanent("eth0", ip("10.0.0.9"), VTEP3));
        neigh.removeNeighbor("eth0", ip("10.0.0.1"));
        neigh.queueResync();
        assertThat(neigh.apply().ok()).isTrue();
        assertThat(kernel.neighbors()).containsExactly(Neighbor.permanent("eth0", ip("10.0.0.9"), VTEP3));
        // owning the device makes every permanent entry on it ours
        neigh.ownDevice("overlay", "eth0");
        assertThat(neigh.apply().ok()).isTrue();
        assertThat(kernel.neighbors()).isEmpty();
    }

    @Test
    void unicastMacMovesToANewRemoteByReplace() {
        fdb.setEntry("flannel.1", VTEP2, ip("192.168.1.2"));
        fdb.apply();
        fdb.removeEntry("flannel.1", VTEP2, ip("192.168.1.2"));
        fdb.setEntry("flannel.1", VTEP2, ip("192.168.1.22")); // the node got a new underlay address

        assertThat(fdb.apply().ok()).isTrue();

        assertThat(kernel.fdbEntries()).containsExactly(FdbEntry.vxlan("flannel.1", VTEP2, ip("192.168.1.22")));
        assertThat(kernel.calls(Op.FDB_APPEND)).as("append would keep the old remote").isZero();
    }

    @Test
    void allZeroMacGetsOneAppendPerRemote() {
        fdb.setEntry("flannel.1", ZERO, ip("192.168.1.2"));
        fdb.setEntry("flannel.1", ZERO, ip("192.168.1.3"));
        assertThat(fdb.apply().ok()).isTrue();
        assertThat(kernel.fdbEntries()).hasSize(2);
        assertThat(kernel.calls(Op.FDB_APPEND)).isEqualTo(2);

        fdb.removeEntry("flannel.1", ZERO, ip("192.168.1.2"));
        fdb.apply();
        assertThat(kernel.fdbEntries()).containsExactly(FdbEntry.vxlan("flannel.1", ZERO, ip("192.168.1.3")));
    }

    @Test
    void fdbResyncRemovesStrayRemoteDstEntriesOnly() throws Exception {
        kernel.appendFdb(FdbEntry.vxlan("flannel.1", VTEP3, ip("192.168.1.3")));                          // stale, ours
        kernel.appendFdb(new FdbEntry("flannel.1", VTEP2, Optional.of(ip("192.168.1.9")), true, NeighborState.REACHABLE)); // learned
        assertThat(fdb.apply().deleted()).isEqualTo(1);
        assertThat(kernel.fdbEntries()).extracting(FdbEntry::mac).containsExactly(VTEP2);
    }

    @Test
    void fdbRetriesWithBackoffAfterInjectedFailure() {
        kernel.failNext(Op.FDB_REPLACE, Errno.EBUSY);
        fdb.setEntry("flannel.1", VTEP2, ip("192.168.1.2"));
        assertThat(fdb.apply().ok()).isFalse();
        assertThat(fdb.needsApply(clock.instant())).isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(fdb.apply().ok()).isTrue();
        assertThat(kernel.fdbEntries()).hasSize(1);
    }

    @Test
    void entriesOnAMissingDeviceStayPending() {
        kernel.removeLink("flannel.1");
        neigh.setNeighbor("flannel.1", ip("10.244.2.0"), VTEP2);
        ApplyResult r = neigh.apply();
        assertThat(r.ok()).isFalse();
        assertThat(r.failures().getFirst().error()).hasMessageContaining("ENODEV");
        kernel.createLink("flannel.1", LinkKind.Vxlan.of(1, 8472));
        clock.advance(Duration.ofSeconds(1));
        assertThat(neigh.apply().ok()).isTrue();
        assertThat(kernel.neighbors()).hasSize(1);
    }
}
