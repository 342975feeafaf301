package io.podnet.dataplane;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The one retry loop with injected time: runs an attempt on {@code executor}; if it throws, runs it again after
 * {@link Backoff#delay(int)} on {@code scheduler}, until it succeeds or the retry is cancelled. No thread sleeps,
 * so with a manual clock and {@code ManualScheduler} a test steps through every retry. Used for the overlay's
 * start-up (etcd unreachable), its lease renewal and the lease watcher's relist.
 * <pre>{@code
 * Retry r = Retry.start("lease renewal", scheduler, executor, new Backoff(ofSeconds(1), ofMinutes(1)), this::renew);
 * r.cancel();   // e.g. at shutdown
 * }</pre>
 */
public final class Retry {
    private static final System.Logger LOG = System.getLogger(Retry.class.getName());

    /** One attempt; returning normally ends the retry. */
    public interface Attempt {
        void run() throws Exception;
    }

    private final String what;
    private final Scheduler scheduler;
    private final Executor executor;
    private final Backoff backoff;
    private final Attempt attempt;
    private int failures;               // guarded by this
    private Scheduler.Cancellable next; // guarded by this
    private boolean cancelled;          // guarded by this
    private boolean done;               // guarded by this

    private Retry(String what, Scheduler scheduler, Executor executor, Backoff backoff, Attempt attempt) {
        this.what = what;
        this.scheduler = Objects.requireNonNull(scheduler);
        this.executor = Objects.requireNonNull(executor);
        this.backoff = Objects.requireNonNull(backoff);
        this.attempt = Objects.requireNonNull(attempt);
    }

    /** Starts the first attempt now (on {@code executor}). */
    public static Retry start(String what, Scheduler scheduler, Executor executor, Backoff backoff, Attempt attempt) {
        Retry r = new Retry(what, scheduler, executor, backoff, attempt);
        executor.execute(r::runOnce);
        return r;
    }

    /** Runs the first attempt on the caller's thread (it returns when that attempt ended), later ones on {@code executor}. */
    public static Retry startHere(String what, Scheduler scheduler, Executor executor, Backoff backoff, Attempt attempt) {
        Retry r = new Retry(what, scheduler, executor, backoff, attempt);
        r.runOnce();
        return r;
    }

    private void runOnce() {
        synchronized (this) {
            if (cancelled || done) return;
        }
        try {
            attempt.run();
            int before;
            synchronized (this) {
                done = true;
                before = failures;
            }
            if (before > 0) LOG.log(Level.INFO, "{0} succeeded after {1} failed attempt(s)", what, before);
        } catch (Exception e) {
            synchronized (this) {
                if (cancelled) return;
                failures++;
                LOG.log(failures == 1 ? Level.WARNING : Level.DEBUG, "{0} failed (attempt {1}): {2}; retrying in {3}", what, failures,
                        e.getMessage(), backoff.delay(failures));
                next = scheduler.schedule(backoff.delay(failures), () -> executor.execute(this::runOnce));
            }
        }
    }

    /** How many attempts have failed so far. */
    public synchronized int failures() { return failures; }

    /** True once an attempt succeeded. */
    public synchronized boolean done() { return done; }

    /** Stops retrying (an attempt already running finishes). */
    public synchronized void cancel() {
        cancelled = true;
        if (next != null) next.cancel();
    }
}
