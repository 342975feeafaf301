package io.podnet.dataplane;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A {@link Scheduler} on one daemon platform timer thread. Tasks must be short (they only wake the loop). */
public final class ExecutorScheduler implements Scheduler, AutoCloseable {
    private final ScheduledExecutorService executor;

    public ExecutorScheduler(String threadName) {
        this.executor = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name(threadName).daemon(true).unstarted(r));
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        var f = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
