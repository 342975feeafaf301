package io.podnet.dataplane.fake;

import io.podnet.dataplane.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Scheduler} driven by a test: tasks are due at {@code clock.instant() + delay} and run, on the
 * caller's thread, only when the test calls {@link #runDue()} after advancing its clock (testkit's
 * ManualClock). Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
    private final InstantSource clock;
    private final List<Task> tasks = new ArrayList<>();
    private long sequence;

    private final class Task implements Cancellable {
        final Instant due;
        final long seq;
        final Runnable body;

        Task(Instant due, long seq, Runnable body) {
            this.due = due;
            this.seq = seq;
            this.body = body;
        }

        @Override
        public void cancel() {
            synchronized (ManualScheduler.this) {
                tasks.remove(this);
            }
        }
    }

    public ManualScheduler(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), sequence++, task);
        tasks.add(t);
        return t;
    }

    /** Runs every task due at the clock's current time, earliest first; returns how many ran. */
    public int runDue() {
        int ran = 0;
        while (true) {
            Task next;
            synchronized (this) {
                Instant now = clock.instant();
                next = tasks.stream().filter(t -> !t.due.isAfter(now))
                        .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.seq)).orElse(null);
                if (next == null) return ran;
                tasks.remove(next);
            }
            next.body.run();
            ran++;
        }
    }

    /** How many tasks are scheduled and not yet run or cancelled. */
    public synchronized int pending() { return tasks.size(); }

    /** When the earliest scheduled task is due. */
    public synchronized Optional<Instant> nextDue() {
        return tasks.stream().map(t -> t.due).min(Comparator.naturalOrder());
    }
}
