package io.podnet.dataplane;

import java.time.Instant;
import java.util.Optional;

/**
 * Health facts of one table, for the agent's metrics and readiness: how many applies in a row failed, the first
 * failure of the last failed apply, when an apply last succeeded, whether one ever did (the table has programmed
 * the kernel at least once since start), and how many changes are still pending (a queued resync counts as one).
 */
public record TableHealth(String table, DataplaneTable.Stage stage, int consecutiveFailures, Optional<String> lastError,
                          Optional<Instant> lastSuccess, boolean firstApplyDone, int pending) {
    public TableHealth {
        if (lastError == null) lastError = Optional.empty();
        if (lastSuccess == null) lastSuccess = Optional.empty();
    }

    /** True when the last apply succeeded and nothing is pending. */
    public boolean inSync() { return consecutiveFailures == 0 && pending == 0 && firstApplyDone; }
}
