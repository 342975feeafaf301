package io.podnet.dataplane;

import java.time.Duration;

/**
 * Reconcile-loop settings: a full resync of every table every {@code resyncInterval}, each interval drawn
 * uniformly from {@code resyncInterval · (1 ± jitter)} so many nodes do not dump their tables in step.
 */
public record ReconcilerConfig(Duration resyncInterval, double jitter) {
    /** 60 s ± 10 %. */
    public static final ReconcilerConfig DEFAULT = new ReconcilerConfig(Duration.ofSeconds(60), 0.1);

    public ReconcilerConfig {
        if (resyncInterval == null || resyncInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("resync interval must be at least 1 s: " + resyncInterval);
        }
        if (!(jitter >= 0 && jitter < 1)) throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
    }
}
