package io.podnet.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** An {@link InstantSource} that only moves when a test says so. Thread-safe. */
public final class ManualClock implements InstantSource {
    private volatile Instant now;

    public ManualClock(Instant start) {
        this.now = start;
    }

    public ManualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Override
    public Instant instant() { return now; }

    public synchronized void advance(Duration d) { now = now.plus(d); }

    public synchronized void set(Instant t) { now = t; }
}
