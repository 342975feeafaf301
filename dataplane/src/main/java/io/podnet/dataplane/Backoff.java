package io.podnet.dataplane;

import java.time.Duration;

/**
 * Exponential retry backoff: {@code initial · 2^(attempt-1)}, capped at {@code max}. Deterministic (no
 * jitter), so tests on a manual clock can name exact retry times.
 */
public record Backoff(Duration initial, Duration max) {
    /** 100 ms, 200 ms, 400 ms … capped at 10 s. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    public Backoff {
        if (initial == null || max == null || initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max: " + initial + ", " + max);
        }
    }

    /** The delay before retry number {@code attempt} (1 = after the first failure). */
    public Duration delay(int attempt) {
        if (attempt < 1) throw new IllegalArgumentException("attempt must be >= 1: " + attempt);
        Duration d = initial;
        for (int i = 1; i < attempt && d.compareTo(max) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(max) > 0 ? max : d;
    }
}
