package io.podnet.workload.bridge;

import java.util.ArrayList;
import java.util.List;

/**
 * Where one operation's time went: named steps with their durations in microseconds, for the agent's DEBUG
 * timing lines and the CNI benchmark. A step is timed from the previous mark (or {@link #lap}); steps recorded
 * from two threads (host and sandbox side in parallel) are kept apart by their names. Thread-safe, cheap.
 */
public final class Steps {
    private final List<String> names = new ArrayList<>();
    private final List<Long> micros = new ArrayList<>();
    private long last = System.nanoTime();

    /** Records {@code name} as the time since the previous mark on this object, and starts the next step. */
    public synchronized void mark(String name) {
        long now = System.nanoTime();
        names.add(name);
        micros.add((now - last) / 1000);
        last = now;
    }

    /** Records {@code name} as the time since {@code startNanos} (for steps timed on another thread). */
    public synchronized void lap(String name, long startNanos) {
        names.add(name);
        micros.add((System.nanoTime() - startNanos) / 1000);
    }

    /** Adds a duration measured elsewhere. */
    public synchronized void add(String name, long nanos) {
        names.add(name);
        micros.add(nanos / 1000);
    }

    /** {@code "name1 12 us, name2 7 us"}. */
    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(names.get(i)).append(' ').append(micros.get(i)).append(" us");
        }
        return sb.toString();
    }
}
