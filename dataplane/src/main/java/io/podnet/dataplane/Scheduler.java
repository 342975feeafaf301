package io.podnet.dataplane;

import java.time.Duration;

/**
 * Runs a task after a delay: the only way the reconcile loop learns that time has passed (periodic resync,
 * retry backoff). {@link ExecutorScheduler} uses a real timer thread; tests use
 * {@code fake.ManualScheduler}, which runs due tasks when the test advances its clock.
 */
public interface Scheduler {

    /** A scheduled task that may still be cancelled. */
    interface Cancellable {
        void cancel();
    }

    /** Runs {@code task} once, {@code delay} from now (zero or negative: as soon as possible). */
    Cancellable schedule(Duration delay, Runnable task);
}
