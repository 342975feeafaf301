package io.podnet.dataplane;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one {@link DataplaneTable#apply()}: how many objects were programmed and removed, whether
 * a resync ran, and each failure (its entry stays pending and is retried at {@code retryAt}).
 */
public record ApplyResult(String table, boolean resynced, int updated, int deleted, List<Failure> failures,
                          Optional<Instant> retryAt) {

    /** One failed kernel call: what we tried (e.g. {@code replace 10.244.2.0/24 via ...}) and the error. */
    public record Failure(String what, IOException error) {
        @Override
        public String toString() { return what + ": " + error.getMessage(); }
    }

    public ApplyResult {
        failures = List.copyOf(failures);
        if (retryAt == null) retryAt = Optional.empty();
    }

    public boolean ok() { return failures.isEmpty(); }

    /** Nothing was dirty. */
    public static ApplyResult clean(String table) {
        return new ApplyResult(table, false, 0, 0, List.of(), Optional.empty());
    }
}
