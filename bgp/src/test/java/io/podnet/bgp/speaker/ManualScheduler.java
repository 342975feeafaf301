package io.podnet.bgp.speaker;

import io.podnet.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link Scheduler} on a {@link ManualClock}: tasks run, on the caller's thread, when the test advances the
 * clock past their due time. The speaker's tasks only post work to its RIB thread, so after {@link #advance}
 * a test waits with {@code speaker.settle()}.
 */
final class ManualScheduler implements Scheduler {
    final ManualClock clock = new ManualClock();
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

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(clock.instant().plus(delay.isNegative() ? Duration.ZERO : delay), sequence++, task);
        tasks.add(t);
        return t;
    }

    /** Moves the clock forward by {@code d}, running every task that falls due on the way, in order. */
    void advance(Duration d) {
        Instant end = clock.instant().plus(d);
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due.isAfter(end))
                        .min(Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.seq)).orElse(null);
                if (next == null) break;
                tasks.remove(next);
                if (next.due.isAfter(clock.instant())) clock.set(next.due);
            }
            next.body.run();
        }
        clock.set(end);
    }
}
