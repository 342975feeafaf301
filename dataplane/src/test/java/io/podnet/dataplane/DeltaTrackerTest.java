package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.DeltaTracker.IterAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeltaTrackerTest {

    @Test
    void desiredEntryMissingFromDataplaneIsAPendingUpdate() {
        var t = new DeltaTracker<String, Integer>();
        t.setDesired("a", 1);
        assertThat(t.pendingUpdates()).containsExactly(Map.entry("a", 1));
        assertThat(t.pendingDeletions()).isEmpty();
        assertThat(t.inSync()).isFalse();
    }

    @Test
    void matchingDataplaneEntryIsNotPending() {
        var t = new DeltaTracker<String, Integer>();
        t.setDesired("a", 1);
        t.setDataplane("a", 1);
        assertThat(t.inSync()).isTrue();
        t.setDataplane("a", 2);
        assertThat(t.pendingUpdates()).containsExactly(Map.entry("a", 1));
    }

    @Test
    void undesiredDataplaneEntryIsAPendingDeletionWithTheKernelValue() {
        var t = new DeltaTracker<String, Integer>();
        t.setDataplane("x", 7);
        assertThat(t.pendingDeletions()).containsExactly(Map.entry("x", 7));
        t.setDesired("x", 8);
        assertThat(t.pendingDeletions()).isEmpty();
        assertThat(t.pendingUpdates()).containsExactly(Map.entry("x", 8));
        t.deleteDesired("x");
        assertThat(t.pendingUpdates()).isEmpty();
        assertThat(t.pendingDeletions()).containsExactly(Map.entry("x", 7));
    }

    @Test
    void replaceAllDataplaneRecomputesEveryDelta() {
        var t = new DeltaTracker<String, Integer>();
        t.setDesired("keep", 1);
        t.setDesired("fix", 2);
        t.setDesired("add", 3);
        t.setDataplane("keep", 1);
        t.replaceAllDataplane(Map.of("keep", 1, "fix", 99, "stray", 5));
        assertThat(t.pendingUpdates()).containsOnlyKeys("fix", "add");
        assertThat(t.pendingDeletions()).containsOnlyKeys("stray");
        assertThat(t.dataplaneView()).containsOnlyKeys("keep", "fix", "stray");
    }

    @Test
    void iterationMarksOnlyAppliedEntries() {
        var t = new DeltaTracker<String, Integer>();
        t.setDesired("ok", 1);
        t.setDesired("fails", 2);
        t.setDataplane("gone", 3);
        t.iterPendingUpdates((k, v) -> k.equals("ok") ? IterAction.UPDATE_DATAPLANE : IterAction.NO_OP);
        List<String> deleted = new ArrayList<>();
        t.iterPendingDeletions((k, v) -> {
            deleted.add(k + "=" + v);
            return IterAction.UPDATE_DATAPLANE;
        });
        assertThat(deleted).containsExactly("gone=3");
        assertThat(t.pendingUpdates()).containsOnlyKeys("fails");
        assertThat(t.pendingDeletions()).isEmpty();
        assertThat(t.dataplane("ok")).contains(1);
        assertThat(t.dataplane("gone")).isEmpty();
    }

    @Test
    void customComparisonDecidesWhatIsInSync() {
        var t = new DeltaTracker<String, String>((want, have) -> want.equalsIgnoreCase(have));
        t.setDesired("a", "ABC");
        t.setDataplane("a", "abc");
        assertThat(t.inSync()).isTrue();
    }

    @Test
    void deleteAllDesiredTurnsTheDataplaneIntoDeletions() {
        var t = new DeltaTracker<String, Integer>();
        t.setDesired("a", 1);
        t.setDesired("b", 2);
        t.replaceAllDataplane(Map.of("a", 1, "b", 2));
        t.deleteAllDesired();
        assertThat(t.pendingDeletions()).containsOnlyKeys("a", "b");
        assertThat(t.pendingCount()).isEqualTo(2);
    }
}
