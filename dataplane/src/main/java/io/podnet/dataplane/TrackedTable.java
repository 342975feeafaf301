package io.podnet.dataplane;

import io.podnet.rtnetlink.NetlinkException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The shared machinery of a kernel-state table over a {@link DeltaTracker}: a lock, the resync flag, the
 * apply pass (resync → deletions → updates) and retry backoff. A subclass says how to list the kernel
 * objects it owns and how to program or remove one object.
 *
 * <p>Threading: every method takes the table's lock, including {@link #apply()} for the length of its
 * kernel calls, so inputs calling {@code set…} during an apply wait a few netlink round trips. The dirty
 * listener is called after the lock is released.
 *
 * @param <K> the kernel's identity of one object
 * @param <V> the object
 */
public abstract class TrackedTable<K, V> implements DataplaneTable {
    private static final System.Logger LOG = System.getLogger(TrackedTable.class.getName());

    protected final Kernel kernel;
    private final InstantSource clock;
    private final Backoff backoff;
    private final ReentrantLock lock = new ReentrantLock();
    private final DeltaTracker<K, V> tracker;
    /** What each producer wants, per key, in the order producers first asked (guarded by the lock). */
    private final Map<K, LinkedHashMap<String, V>> wants = new HashMap<>();
    private boolean resyncPending = true; // we know nothing about the kernel until the first listing
    private int failedAttempts;
    private Optional<Instant> retryAt = Optional.empty();
    private Optional<String> lastError = Optional.empty();
    private Optional<Instant> lastSuccess = Optional.empty();
    private volatile Runnable onDirty = () -> {};

    protected TrackedTable(Kernel kernel, InstantSource clock, DeltaTracker<K, V> tracker) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.backoff = Backoff.DEFAULT;
    }

    // ---- subclass hooks -----------------------------------------------------------------------------------

    /** Lists the kernel objects this table owns (and only those: a resync deletes whatever is undesired). */
    protected abstract Map<K, V> listOwned() throws IOException;

    /** Programs one desired object (idempotently: replace, not add). */
    protected abstract void program(K key, V value) throws IOException;

    /** Removes one owned kernel object; a not-found {@link NetlinkException} counts as success. */
    protected abstract void unprogram(K key, V observed) throws IOException;

    /** How a failure names the object, e.g. {@code 10.244.2.0/24 via 10.244.2.0 dev flannel.1}. */
    protected abstract String describe(K key, V value);

    // ---- desired state (for subclasses' set…/remove… verbs) ---------------------------------------------

    /** The producer of the single-producer verbs ({@code setRoute(route)} and the like). */
    public static final String DEFAULT_OWNER = "default";

    /**
     * {@code owner} wants {@code value} under {@code key}. Several producers may want the same key (two networks
     * on one bridge): the kernel gets the value of the producer that asked first, and the key stays desired until
     * every producer has withdrawn it. A producer never changes another producer's entries.
     */
    protected final void desire(String owner, K key, V value) {
        update(t -> want(t, owner, key, value));
    }

    /** {@code owner} no longer wants {@code key}; it stays desired while another producer wants it. */
    protected final void undesire(String owner, K key) {
        update(t -> unwant(t, owner, key));
    }

    /** Replaces everything {@code owner} wants by {@code all} (keys it wanted before and not now are withdrawn). */
    protected final void replaceOwned(String owner, Map<K, V> all) {
        update(t -> {
            for (K k : List.copyOf(ownedKeysLocked(owner))) if (!all.containsKey(k)) unwant(t, owner, k);
            all.forEach((k, v) -> want(t, owner, k, v));
        });
    }

    /** Keys {@code owner} wants now (call under the lock, e.g. inside {@link #update}). */
    protected final Set<K> ownedKeysLocked(String owner) {
        Set<K> out = new java.util.HashSet<>();
        wants.forEach((k, byOwner) -> {
            if (byOwner.containsKey(owner)) out.add(k);
        });
        return out;
    }

    /** What {@code owner} wants (a copy). */
    public final Map<K, V> desiredBy(String owner) {
        return withTracker(t -> {
            Map<K, V> out = new HashMap<>();
            wants.forEach((k, byOwner) -> {
                V v = byOwner.get(owner);
                if (v != null) out.put(k, v);
            });
            return out;
        });
    }

    /** {@link #desire} for use inside {@link #update} (the lock held, several changes in one step). */
    protected final void desireLocked(DeltaTracker<K, V> t, String owner, K key, V value) {
        want(t, owner, key, value);
    }

    /** {@link #undesire} for use inside {@link #update}. */
    protected final void undesireLocked(DeltaTracker<K, V> t, String owner, K key) {
        unwant(t, owner, key);
    }

    /**
     * An object changed in the kernel (from the namespace's monitor): one we want deleted is re-programmed without
     * a dump; one we own but nobody wants appearing ({@code owned}) is deleted. Updates of wanted objects are left
     * to the periodic resync, so the event of our own write never starts a write loop.
     */
    protected final void kernelObjectChanged(K key, V observed, boolean removed, boolean owned) {
        boolean dirty = withTracker(t -> {
            boolean desired = t.desired(key).isPresent();
            if (removed) {
                if (!desired || t.dataplane(key).isEmpty()) return false;
                t.deleteDataplane(key);
                return true;
            }
            if (desired || !owned) return false;
            t.setDataplane(key, observed);
            return true;
        });
        if (dirty) retrySoon(false);
    }

    /** Records that the kernel holds {@code value} for {@code key} because a producer just programmed it itself. */
    protected final void markProgrammed(K key, V value) {
        update(t -> t.setDataplane(key, value));
    }

    /** Called under the lock when a key's effective desired value changes (for subclass indexes). */
    protected void effectiveChanged(K key, Optional<V> before, Optional<V> after) {}

    private void want(DeltaTracker<K, V> t, String owner, K key, V value) {
        java.util.Objects.requireNonNull(owner, "owner");
        LinkedHashMap<String, V> byOwner = wants.computeIfAbsent(key, k -> new LinkedHashMap<>());
        byOwner.put(owner, value);
        V first = byOwner.values().iterator().next();
        if (byOwner.size() > 1 && !first.equals(value)) {
            LOG.log(Level.WARNING, "table={0} key={1}: {2} wants {3} but {4} is programmed (first producer wins)", name(),
                    describe(key, value), owner, value, first);
        }
        setEffective(t, key, first);
    }

    private void unwant(DeltaTracker<K, V> t, String owner, K key) {
        LinkedHashMap<String, V> byOwner = wants.get(key);
        if (byOwner == null || byOwner.remove(owner) == null) return;
        if (byOwner.isEmpty()) {
            wants.remove(key);
            setEffective(t, key, null);
        } else {
            setEffective(t, key, byOwner.values().iterator().next());
        }
    }

    private void setEffective(DeltaTracker<K, V> t, K key, V value) {
        Optional<V> before = t.desired(key);
        if (before.equals(Optional.ofNullable(value))) return;
        if (value == null) t.deleteDesired(key);
        else t.setDesired(key, value);
        effectiveChanged(key, before, Optional.ofNullable(value));
    }

    /** Changes desired state under the table's lock (subclass indexes stay consistent), then wakes the loop. */
    protected final void update(Consumer<DeltaTracker<K, V>> change) {
        lock.lock();
        try {
            change.accept(tracker);
        } finally {
            lock.unlock();
        }
        onDirty.run();
    }

    /** Reads tracker state under the lock. */
    protected final <T> T withTracker(Function<DeltaTracker<K, V>, T> f) {
        lock.lock();
        try {
            return f.apply(tracker);
        } finally {
            lock.unlock();
        }
    }

    /** Clears any backoff so the next pass retries at once (e.g. the device a route needs just appeared). */
    protected final void retrySoon(boolean resync) {
        lock.lock();
        try {
            retryAt = Optional.empty();
            if (resync) resyncPending = true;
        } finally {
            lock.unlock();
        }
        onDirty.run();
    }

    // ---- DataplaneTable -----------------------------------------------------------------------------------

    @Override
    public final void queueResync() {
        retrySoon(true);
    }

    @Override
    public final boolean isDirty() {
        lock.lock();
        try {
            return resyncPending || !tracker.inSync();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final boolean needsApply(Instant now) {
        lock.lock();
        try {
            return (resyncPending || !tracker.inSync()) && retryAt.map(t -> !now.isBefore(t)).orElse(true);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final Optional<Instant> retryAt() {
        lock.lock();
        try {
            return retryAt;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final void onDirty(Runnable listener) {
        this.onDirty = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public final int consecutiveFailures() {
        lock.lock();
        try {
            return failedAttempts;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final TableHealth health() {
        lock.lock();
        try {
            return new TableHealth(name(), stage(), failedAttempts, lastError, lastSuccess, lastSuccess.isPresent(),
                    tracker.pendingCount() + (resyncPending ? 1 : 0));
        } finally {
            lock.unlock();
        }
    }

    /** Number of pending updates plus deletions (for tests and metrics). */
    public final int pendingCount() {
        return withTracker(DeltaTracker::pendingCount);
    }

    @Override
    public final ApplyResult apply() {
        lock.lock();
        try {
            return applyLocked();
        } catch (RuntimeException e) {
            // a bug, not a kernel refusal: still never throw into the loop; resync and back off
            LOG.log(Level.ERROR, "table=" + name() + " apply failed unexpectedly", e);
            return finish(false, 0, 0, List.of(new ApplyResult.Failure("apply", new IOException(e))));
        } finally {
            lock.unlock();
        }
    }

    private ApplyResult applyLocked() {
        List<ApplyResult.Failure> failures = new ArrayList<>();
        boolean resynced = false;
        if (resyncPending) {
            try {
                tracker.replaceAllDataplane(listOwned());
                resyncPending = false;
                resynced = true;
            } catch (IOException e) {
                failures.add(new ApplyResult.Failure("resync", e));
                return finish(false, 0, 0, failures);
            }
        }
        int deleted = 0;
        for (var e : tracker.pendingDeletions().entrySet()) {
            try {
                unprogram(e.getKey(), e.getValue());
                tracker.deleteDataplane(e.getKey());
                deleted++;
            } catch (IOException ex) {
                if (ex instanceof NetlinkException ne && ne.isNotFound()) {
                    tracker.deleteDataplane(e.getKey());
                } else {
                    failures.add(new ApplyResult.Failure("delete " + describe(e.getKey(), e.getValue()), ex));
                }
            }
        }
        int updated = 0;
        for (var e : tracker.pendingUpdates().entrySet()) {
            try {
                program(e.getKey(), e.getValue());
                tracker.setDataplane(e.getKey(), e.getValue());
                updated++;
            } catch (IOException ex) {
                failures.add(new ApplyResult.Failure("replace " + describe(e.getKey(), e.getValue()), ex));
            }
        }
        return finish(resynced, updated, deleted, failures);
    }

    private ApplyResult finish(boolean resynced, int updated, int deleted, List<ApplyResult.Failure> failures) {
        if (failures.isEmpty()) {
            if (failedAttempts > 0) LOG.log(Level.INFO, "table={0} recovered after {1} failed attempt(s)", name(), failedAttempts);
            failedAttempts = 0;
            retryAt = Optional.empty();
            lastError = Optional.empty();
            lastSuccess = Optional.of(clock.instant());
        } else {
            failedAttempts++;
            lastError = Optional.of(failures.getFirst().toString());
            // the failure may mean our view of the kernel is wrong (EEXIST, a device that went away): re-read it
            resyncPending = true;
            retryAt = Optional.of(clock.instant().plus(backoff.delay(failedAttempts)));
            Level level = failedAttempts == 1 ? Level.WARNING : Level.DEBUG;
            LOG.log(level, "table={0} attempt={1} failures={2} first={3} retryAt={4}", name(), failedAttempts,
                    failures.size(), failures.getFirst(), retryAt.get());
        }
        return new ApplyResult(name(), resynced, updated, deleted, failures, retryAt);
    }

    @Override
    public String toString() { return name() + withTracker(DeltaTracker::toString); }
}
