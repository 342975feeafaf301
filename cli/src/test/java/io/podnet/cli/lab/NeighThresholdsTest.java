package io.podnet.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizing and exact restoring of the neighbour thresholds, on a fake /proc/sys tree. */
class NeighThresholdsTest {
    @TempDir Path dir;
    Path sys;
    NeighThresholds t;

    @BeforeEach
    void fakeProcSys() throws Exception {
        sys = dir.resolve("sys");
        long[] v = {128, 512, 1024, 100, 600, 1300};
        for (int i = 0; i < NeighThresholds.KEYS.size(); i++) {
            Path f = sys.resolve(NeighThresholds.KEYS.get(i));
            Files.createDirectories(f.getParent());
            Files.writeString(f, v[i] + "\n");
        }
        t = new NeighThresholds(sys, dir.resolve("run/neigh.json"));
    }

    long v4(int i) throws Exception { return t.read("net/ipv4/neigh/default/gc_thresh" + i); }

    long v6(int i) throws Exception { return t.read("net/ipv6/neigh/default/gc_thresh" + i); }

    @Test
    void twoNodesWith25PodsNeedMoreThanTheDefaultHardLimit() {
        assertThat(NeighThresholds.needed(List.of(25, 25))).isGreaterThan(1024);
        assertThat(NeighThresholds.needed(List.of(2, 2, 2))).isLessThan(512);
    }

    @Test
    void raisedForTheLargestLabAndRestoredExactlyWhenTheLastLeaves() throws Exception {
        t.raise("/run/podnet-lab/a", 2000);
        assertThat(List.of(v4(1), v4(2), v4(3))).containsExactly(2000L, 4000L, 8000L);
        assertThat(List.of(v6(1), v6(2), v6(3))).containsExactly(2000L, 4000L, 8000L);
        t.raise("/run/podnet-lab/b", 300);            // smaller: nothing drops
        assertThat(v4(3)).isEqualTo(8000);
        t.release("/run/podnet-lab/a");               // b is left: its need, but never below the originals
        assertThat(List.of(v4(1), v4(2), v4(3))).containsExactly(300L, 600L, 1200L);
        assertThat(List.of(v6(1), v6(2), v6(3))).containsExactly(300L, 600L, 1300L);
        t.release("/run/podnet-lab/b");
        assertThat(List.of(v4(1), v4(2), v4(3), v6(1), v6(2), v6(3))).containsExactly(128L, 512L, 1024L, 100L, 600L, 1300L);
        assertThat(dir.resolve("run/neigh.json")).doesNotExist();
        t.release("/run/podnet-lab/b");               // again (lab down after a crash): nothing changes
        assertThat(v4(3)).isEqualTo(1024);
    }

    @Test
    void aSmallLabLeavesLargerOriginalsAlone() throws Exception {
        Files.writeString(sys.resolve("net/ipv4/neigh/default/gc_thresh3"), "100000");
        t.raise("/x", 1000);
        assertThat(v4(3)).isEqualTo(100000);
        assertThat(v4(1)).isEqualTo(1000);
        t.release("/x");
        assertThat(v4(3)).isEqualTo(100000);
        assertThat(v4(1)).isEqualTo(128);
    }
}
