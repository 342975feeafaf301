package io.podnet.dataplane;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * Two views of one kind of kernel state and the difference between them, after Calico's
 * {@code felix/deltatracker}: the <em>desired</em> map (what inputs want) and the <em>dataplane</em> map (what
 * we believe the kernel holds, from the last resync plus every change applied since). Pending updates are
 * desired entries the dataplane lacks or holds with a different value; pending deletions are dataplane
 * entries nobody desires. The tracker is pure and not thread-safe: a table guards it with its lock.
 * <pre>{@code
 * tracker.setDesired(k, v);                       // input
 * tracker.replaceAllDataplane(kernelListing);     // resync
 * tracker.iterPendingUpdates((k, v) -> { kernel.replace(v); return IterAction.UPDATE_DATAPLANE; });
 * }</pre>
 *
 * @param <K> key: the kernel's identity of the object (e.g. route destination + metric)
 * @param <V> value: the full object
 */
public final class DeltaTracker<K, V> {

    /** What an iteration callback did with a pending change. */
    public enum IterAction {
        /** The change was applied: record it in the dataplane view (the entry stops being pending). */
        UPDATE_DATAPLANE,
        /** Leave the entry pending (e.g. the kernel call failed). */
        NO_OP
    }

    private final Map<K, V> desired = new HashMap<>();
    private final Map<K, V> dataplane = new HashMap<>();
    private final Map<K, V> pendingUpdates = new LinkedHashMap<>();
    private final Map<K, V> pendingDeletions = new LinkedHashMap<>();
    private final BiPredicate<? super V, ? super V> inSync;

    /** A tracker that compares values with {@link Objects#equals}. */
    public DeltaTracker() {
        this(Objects::equals);
    }

    /**
     * A tracker with its own notion of "already programmed": {@code inSync.test(desired, dataplane)} is true
     * when the kernel's value needs no update (e.g. after normalizing kernel-filled defaults).
     */
    public DeltaTracker(BiPredicate<? super V, ? super V> inSync) {
        this.inSync = Objects.requireNonNull(inSync, "inSync");
    }

    // ---- desired side -------------------------------------------------------------------------------------

    public void setDesired(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        desired.put(key, value);
        recompute(key);
    }

    public void deleteDesired(K key) {
        if (desired.remove(key) != null) recompute(key);
    }

    public void deleteAllDesired() {
        var keys = List.copyOf(desired.keySet());
        desired.clear();
        keys.forEach(this::recompute);
    }

    public Optional<V> desired(K key) { return Optional.ofNullable(desired.get(key)); }

    /** An unmodifiable copy of the desired map. */
    public Map<K, V> desiredView() { return Map.copyOf(desired); }

    // ---- dataplane side -----------------------------------------------------------------------------------

    /** Records that the kernel now holds {@code value} under {@code key}. */
    public void setDataplane(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        dataplane.put(key, value);
        recompute(key);
    }

    /** Records that the kernel no longer holds {@code key}. */
    public void deleteDataplane(K key) {
        if (dataplane.remove(key) != null) recompute(key);
    }

    /** Replaces the whole dataplane view with a fresh kernel listing (a resync) and recomputes every delta. */
    public void replaceAllDataplane(Map<K, V> observed) {
        dataplane.clear();
        dataplane.putAll(observed);
        pendingUpdates.clear();
        pendingDeletions.clear();
        for (K k : desired.keySet()) recompute(k);
        for (K k : dataplane.keySet()) recompute(k);
    }

    public Optional<V> dataplane(K key) { return Optional.ofNullable(dataplane.get(key)); }

    /** An unmodifiable copy of the dataplane view. */
    public Map<K, V> dataplaneView() { return Map.copyOf(dataplane); }

    // ---- pending changes ----------------------------------------------------------------------------------

    /** Desired entries the kernel lacks or holds differently (a copy, in the order they became pending). */
    public Map<K, V> pendingUpdates() { return Collections.unmodifiableMap(new LinkedHashMap<>(pendingUpdates)); }

    /** Kernel entries nobody desires, with the value the kernel holds (a copy). */
    public Map<K, V> pendingDeletions() { return Collections.unmodifiableMap(new LinkedHashMap<>(pendingDeletions)); }

    /**
     * Calls {@code f} for each pending update with the desired value; {@link IterAction#UPDATE_DATAPLANE}
     * marks it applied. The callback may not modify the tracker.
     */
    public void iterPendingUpdates(BiFunction<? super K, ? super V, IterAction> f) {
        for (var e : new LinkedHashMap<>(pendingUpdates).entrySet()) {
            if (f.apply(e.getKey(), e.getValue()) == IterAction.UPDATE_DATAPLANE) setDataplane(e.getKey(), e.getValue());
        }
    }

    /**
     * Calls {@code f} for each pending deletion with the kernel's value; {@link IterAction#UPDATE_DATAPLANE}
     * marks it deleted. The callback may not modify the tracker.
     */
    public void iterPendingDeletions(BiFunction<? super K, ? super V, IterAction> f) {
        for (var e : new LinkedHashMap<>(pendingDeletions).entrySet()) {
            if (f.apply(e.getKey(), e.getValue()) == IterAction.UPDATE_DATAPLANE) deleteDataplane(e.getKey());
        }
    }

    /** True when there is nothing to apply. */
    public boolean inSync() { return pendingUpdates.isEmpty() && pendingDeletions.isEmpty(); }

    public int pendingCount() { return pendingUpdates.size() + pendingDeletions.size(); }

    private void recompute(K key) {
        V want = desired.get(key);
        V have = dataplane.get(key);
        if (want != null) {
            pendingDeletions.remove(key);
            if (have == null || !inSync.test(want, have)) pendingUpdates.put(key, want);
            else pendingUpdates.remove(key);
        } else {
            pendingUpdates.remove(key);
            if (have != null) pendingDeletions.put(key, have);
            else pendingDeletions.remove(key);
        }
    }

    @Override
    public String toString() {
        return "DeltaTracker[desired=" + desired.size() + ", dataplane=" + dataplane.size() + ", updates="
                + pendingUpdates.size() + ", deletions=" + pendingDeletions.size() + "]";
    }
}
