package io.podnet.dataplane;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one reconcile loop: a platform thread that applies dirty tables in {@link DataplaneTable.Stage} order
 * (links → addresses → neighbours/FDB → routes → nft), queues a full resync of every table about once a
 * minute (with jitter), and retries failed tables when their backoff expires. Inputs never call the kernel:
 * they change a registered table, which wakes the loop.
 * <pre>{@code
 * var loop = new Reconciler(clock, scheduler, ReconcilerConfig.DEFAULT);
 * loop.register(fdb); loop.register(neigh); loop.register(routes);   // any order; stage decides
 * loop.start();
 * routes.setRoute(...);        // from any thread: wakes the loop
 * loop.applyNow();             // or: programmed before this returns (CNI ADD), failures in the report
 * }</pre>
 * Time only reaches the loop through the injected {@link InstantSource} and {@link Scheduler}: with a manual
 * clock and {@code fake.ManualScheduler}, or by calling {@link #runOnce()} without {@link #start()}, tests are
 * deterministic and never sleep.
 *
 * <p><b>Complicating factors.</b> A table waiting out a backoff does not hold back later stages (a failed
 * neighbour must not stop unrelated routes); {@link #applyNow()} ignores backoff. Passes are serialized, so
 * {@code applyNow()} from a request thread and the loop thread never interleave kernel writes.
 */
public final class Reconciler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Reconciler.class.getName());
    private static final Comparator<DataplaneTable> BY_STAGE = Comparator.comparing(DataplaneTable::stage);

    private final InstantSource clock;
    private final Scheduler scheduler;
    private final ReconcilerConfig config;
    private final SplittableRandom random = new SplittableRandom();
    private final Object registration = new Object();
    private volatile List<DataplaneTable> tables = List.of(); // immutable, replaced whole on register

    private final ReentrantLock passLock = new ReentrantLock();
    private Instant nextResync;                   // guarded by passLock
    private Scheduler.Cancellable scheduledWake;  // guarded by passLock
    private Instant scheduledWakeAt;              // guarded by passLock
    private volatile ApplyReport lastReport;
    private final ReentrantLock passDoneLock = new ReentrantLock();
    private final Condition passDone = passDoneLock.newCondition();
    private long passes;                          // guarded by passDoneLock

    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wakeCondition = wakeLock.newCondition();
    private boolean wakeRequested = true;         // guarded by wakeLock; the first pass reads the kernel
    private boolean closed;                       // guarded by wakeLock
    private Thread thread;

    public Reconciler(InstantSource clock, Scheduler scheduler, ReconcilerConfig config) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Adds a table; it wakes the loop whenever it becomes dirty. Tables run in stage order, then registration order. */
    public void register(DataplaneTable table) {
        table.onDirty(this::wake);
        synchronized (registration) {
            List<DataplaneTable> sorted = new ArrayList<>(tables);
            sorted.add(table);
            sorted.sort(BY_STAGE); // stable: registration order within a stage
            tables = List.copyOf(sorted);
        }
        wake();
    }

    /** The registered tables in application order. */
    public List<DataplaneTable> tables() { return tables; }

    /** Starts the loop thread ({@code podnet-reconcile}). */
    public synchronized void start() {
        if (thread != null) throw new IllegalStateException("reconciler already started");
        thread = Thread.ofPlatform().name("podnet-reconcile").daemon(true).start(this::loop);
    }

    /** Asks the loop for a pass soon. Cheap and safe from any thread. */
    public void wake() {
        wakeLock.lock();
        try {
            wakeRequested = true;
            wakeCondition.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    /** Queues a full resync of every table (e.g. after the agent notices a netlink overrun). */
    public void queueResync() {
        for (DataplaneTable t : tables) t.queueResync();
    }

    /**
     * Passes a link event to every table (see {@link DataplaneTable#interfaceChanged}); wire it to the
     * namespace's link monitor: {@code h.subscribeLinks(e -> loop.interfaceChanged(e.link().name()))}.
     */
    public void interfaceChanged(String dev) {
        for (DataplaneTable t : tables) t.interfaceChanged(dev);
    }

    /** True when no table has pending changes. */
    public boolean isInSync() {
        return tables.stream().noneMatch(DataplaneTable::isDirty);
    }

    public Optional<ApplyReport> lastReport() { return Optional.ofNullable(lastReport); }

    /**
     * One loop iteration on the caller's thread: start the periodic resync if due, apply every table that is
     * dirty and not in backoff, and schedule the next timed wake-up. The loop thread calls this; tests call it
     * directly.
     */
    public ApplyReport runOnce() {
        return pass(false);
    }

    /**
     * Applies every dirty table now, ignoring backoff, and returns once the kernel has been written: for
     * callers that need "programmed before I return" (a CNI ADD). Failures are in the report.
     */
    public ApplyReport applyNow() {
        return pass(true);
    }

    private ApplyReport pass(boolean force) {
        passLock.lock();
        try {
            Instant now = clock.instant();
            if (nextResync == null) nextResync = now.plus(jitteredInterval());
            if (!now.isBefore(nextResync)) {
                LOG.log(Level.DEBUG, "periodic resync of {0} tables", tables.size());
                for (DataplaneTable t : tables) t.queueResync();
                nextResync = now.plus(jitteredInterval());
            }
            List<ApplyResult> results = new ArrayList<>();
            for (DataplaneTable t : tables) {
                if (force ? t.isDirty() : t.needsApply(now)) results.add(t.apply());
            }
            scheduleWake(now);
            ApplyReport report = new ApplyReport(now, results);
            lastReport = report;
            signalPassDone();
            return report;
        } finally {
            passLock.unlock();
        }
    }

    private void signalPassDone() {
        passDoneLock.lock();
        try {
            passes++;
            passDone.signalAll();
        } finally {
            passDoneLock.unlock();
        }
    }

    private long passes() {
        passDoneLock.lock();
        try {
            return passes;
        } finally {
            passDoneLock.unlock();
        }
    }

    /**
     * Waits until no table is dirty, re-checking after each pass (of the loop thread or anyone's
     * {@link #applyNow()}); false if {@code timeout} passes first. For readiness checks and tests.
     */
    public boolean awaitInSync(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = passes();
            if (isInSync()) return true;
            passDoneLock.lock();
            try {
                while (passes == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return false;
                    passDone.awaitNanos(left);
                }
            } finally {
                passDoneLock.unlock();
            }
        }
    }

    private void scheduleWake(Instant now) {
        Instant next = nextResync;
        for (DataplaneTable t : tables) {
            Optional<Instant> r = t.retryAt();
            if (r.isPresent() && t.isDirty() && r.get().isBefore(next)) next = r.get();
        }
        if (next.equals(scheduledWakeAt)) return;
        if (scheduledWake != null) scheduledWake.cancel();
        Duration delay = Duration.between(now, next);
        scheduledWake = scheduler.schedule(delay.isNegative() ? Duration.ZERO : delay, this::wake);
        scheduledWakeAt = next;
    }

    /** When the next periodic resync starts (after the first pass). */
    public Optional<Instant> nextResync() {
        passLock.lock();
        try {
            return Optional.ofNullable(nextResync);
        } finally {
            passLock.unlock();
        }
    }

    private Duration jitteredInterval() {
        long base = config.resyncInterval().toMillis();
        double factor = 1 + config.jitter() * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.round(base * factor));
    }

    private void loop() {
        while (true) {
            wakeLock.lock();
            try {
                while (!wakeRequested && !closed) wakeCondition.awaitUninterruptibly();
                if (closed) return;
                wakeRequested = false;
            } finally {
                wakeLock.unlock();
            }
            try {
                ApplyReport r = runOnce();
                if (!r.ok()) LOG.log(Level.DEBUG, "pass failures: {0}", r.failures());
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "reconcile pass failed; continuing", e);
            }
        }
    }

    /** Stops the loop thread (waiting for a running pass to finish) and cancels the timed wake-up. */
    @Override
    public void close() {
        wakeLock.lock();
        try {
            closed = true;
            wakeCondition.signalAll();
        } finally {
            wakeLock.unlock();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        passLock.lock();
        try {
            if (scheduledWake != null) scheduledWake.cancel();
        } finally {
            passLock.unlock();
        }
    }
}
