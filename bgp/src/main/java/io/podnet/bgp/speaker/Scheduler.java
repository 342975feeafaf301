package io.podnet.bgp.speaker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay: the only way the speaker learns that time passed (FSM timers, the graceful
 * restart and route-refresh stale timers, the prefix-limit restart timer). {@link #system()} uses one timer
 * thread; tests drive a manual one. Tasks must be short: the speaker's only post work to its RIB thread.
 * (The same shape as the dataplane module's scheduler, which the bgp module cannot depend on; the agent can
 * pass one for the other with a lambda.)
 */
public interface Scheduler {

    /** A scheduled task that may still be cancelled. */
    interface Cancellable {
        void cancel();
    }

    /** Runs {@code task} once, {@code delay} from now (zero or negative: as soon as possible). */
    Cancellable schedule(Duration delay, Runnable task);

    /** Stops the scheduler's threads, if it has any. */
    default void shutdown() { }

    /** A scheduler on one daemon platform thread named {@code bgp-timers}. */
    static Scheduler system() {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("bgp-timers").unstarted(r));
        return new Scheduler() {
            @Override
            public Cancellable schedule(Duration delay, Runnable task) {
                var f = ex.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public void shutdown() { ex.shutdownNow(); }
        };
    }
}
