package io.podnet.agent.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.agent.node.NeighbourPressure.Family;
import io.podnet.agent.node.NeighbourPressure.Level;
import io.podnet.agent.node.NeighbourPressure.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeighbourPressureTest {
    @TempDir Path proc;

    static Sample at(long entries, long fulls) {
        return new Sample(entries, fulls, 128, 512, 1024);
    }

    @Test
    void levelsFollowTheThresholds() {
        assertThat(NeighbourPressure.assess(at(100, 0), -1)).isEqualTo(Level.OK);
        assertThat(NeighbourPressure.assess(at(512, 0), -1)).isEqualTo(Level.ABOVE_SOFT_LIMIT);
        assertThat(NeighbourPressure.assess(at(922, 0), -1)).isEqualTo(Level.NEAR_OVERFLOW);
        assertThat(NeighbourPressure.assess(at(1024, 0), -1)).isEqualTo(Level.OVERFLOWING);
        assertThat(NeighbourPressure.assess(at(700, 5), 3)).as("refusals since the last sample").isEqualTo(Level.OVERFLOWING);
        assertThat(NeighbourPressure.assess(at(700, 5), 5)).isEqualTo(Level.ABOVE_SOFT_LIMIT);
    }

    @Test
    void warnsOnceOnEachChangeAndNamesTheSysctls() {
        NeighbourPressure p = new NeighbourPressure(Family.V4);
        assertThat(p.observe(at(100, 7))).isEmpty();
        assertThat(p.observe(at(950, 7))).get().asString().contains("near overflow").contains("net.ipv4.neigh.default.gc_thresh1/2/3");
        assertThat(p.observe(at(960, 7))).isEmpty();
        assertThat(p.observe(at(1000, 19))).get().asString().contains("overflowing").contains("12 entries refused");
        assertThat(p.level()).isEqualTo(Level.OVERFLOWING);
        assertThat(p.observe(at(100, 19))).get().asString().contains("back to normal");
    }

    @Test
    void readsTheKernelsCountersAndThresholds() throws Exception {
        Files.createDirectories(proc.resolve("net/stat"));
        Files.writeString(proc.resolve("net/stat/arp_cache"), """
                entries  allocs   destroys hash_grows lookups  hits     res_failed rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls
                00000409 00001b72 00000f18 00000003   00097004 0001d484 00000057   00000000         00000000         0000011b         00000aec       00000000            00000a2c
                00000409 000018b9 0000250a 00000007   0008b2ad 0001a367 0000006b   00000000         00000000         00000000         00000b35       00000000            00000001
                """);
        Path sys = Files.createDirectories(proc.resolve("sys/net/ipv4/neigh/default"));
        Files.writeString(sys.resolve("gc_thresh1"), "128\n");
        Files.writeString(sys.resolve("gc_thresh2"), "512\n");
        Files.writeString(sys.resolve("gc_thresh3"), "1024\n");
        Sample s = NeighbourPressure.read(proc, Family.V4);
        assertThat(s).isEqualTo(new Sample(0x409, 0xa2c + 1, 128, 512, 1024));
        assertThat(NeighbourPressure.assess(s, -1)).isEqualTo(Level.OVERFLOWING);
    }

    @Test
    void readsThisMachinesTables() throws Exception {
        for (Family f : Family.values()) {
            Sample s = NeighbourPressure.read(Path.of("/proc"), f);
            assertThat(s.gcThresh3()).as(f + ": a whole number, not its first digit").isGreaterThanOrEqualTo(s.gcThresh2());
        }
    }
}
