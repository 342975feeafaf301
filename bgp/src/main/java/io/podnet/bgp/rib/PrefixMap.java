package io.podnet.bgp.rib;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BiConsumer;

/**
 * A map from prefix to value sized for full tables. IPv4 prefixes up to /31 are packed into one {@code int}
 * ({@code address | 1 << (31 - length)}: the host bits are zero, so the lowest set bit marks the length and
 * the key is never 0) in an open-addressing table (linear probing, backward-shift deletion) whose capacity
 * grows by 1.25× and shrinks when a quarter full, so it stays 60–75 % full: an entry costs 10–14 bytes
 * (int key + compressed reference) instead of a HashMap node plus an {@link IpPrefix} and {@link IpAddress}
 * object (~90 bytes). IPv4 /32 and IPv6 prefixes use an ordinary HashMap. Not thread-safe (owned by the RIB
 * thread).
 */
public final class PrefixMap<V> {
    private static final int MIN_CAPACITY = 16;

    private int[] keys = new int[MIN_CAPACITY];
    private Object[] vals = new Object[MIN_CAPACITY];
    private int size4;
    /**
     * Mixed into every key's hash: random per table and new at every resize, so no two tables share a layout.
     * With one layout, the multiply-shift keeps hash order across sizes, and moving keys from one table to
     * another in the first one's order is quadratic: filling a smaller, growing table (an Adj-RIB-In filled by
     * a podnet peer streaming its Loc-RIB, a Loc-RIB filled from a drained dirty set) puts every key into one
     * probe run, and draining a table in another's order (a Loc-RIB losing a dropped Adj-RIB-In's prefixes)
     * leaves only high hashes, which a shrink packs into one run (both hangs at a few hundred thousand keys;
     * {@code PrefixMapTest}).
     */
    private int seed = java.util.concurrent.ThreadLocalRandom.current().nextInt();
    private final Map<IpPrefix, V> other = new HashMap<>();

    private static boolean packed(IpPrefix p) { return p.address().isV4() && p.length() < 32; }

    private static int key(IpPrefix p) { return (int) p.address().lo() | (1 << (31 - p.length())); }

    private static IpPrefix prefix(int k) {
        int marker = Integer.lowestOneBit(k);
        return new IpPrefix(IpAddress.v4(k & ~marker), 31 - Integer.numberOfTrailingZeros(k));
    }

    /**
     * A full-avalanche mix (MurmurHash3's fmix32: the keys of adjacent prefixes differ only in a few middle
     * bits), then the 32-bit hash mapped onto [0, capacity) by a multiply-shift instead of a power-of-two mask.
     */
    private int slot(int k, int capacity) {
        int h = k ^ seed;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return (int) (((h & 0xFFFFFFFFL) * capacity) >>> 32);
    }

    private int next(int i) { return i + 1 == keys.length ? 0 : i + 1; }

    private int find(int k) {
        for (int i = slot(k, keys.length); keys[i] != 0; i = next(i)) {
            if (keys[i] == k) return i;
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    public V get(IpPrefix p) {
        if (!packed(p)) return other.get(p);
        int i = find(key(p));
        return i < 0 ? null : (V) vals[i];
    }

    /** Stores {@code value} (non-null); returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(IpPrefix p, V value) {
        if (value == null) throw new IllegalArgumentException("null value");
        if (!packed(p)) return other.put(p, value);
        int k = key(p);
        int i = slot(k, keys.length);
        for (; keys[i] != 0; i = next(i)) {
            if (keys[i] == k) {
                V old = (V) vals[i];
                vals[i] = value;
                return old;
            }
        }
        keys[i] = k;
        vals[i] = value;
        if (++size4 * 4L > keys.length * 3L) resize(Math.max(keys.length + MIN_CAPACITY, keys.length / 4 * 5));
        return null;
    }

    @SuppressWarnings("unchecked")
    public V remove(IpPrefix p) {
        if (!packed(p)) return other.remove(p);
        int i = find(key(p));
        if (i < 0) return null;
        V old = (V) vals[i];
        removeAt(i);
        maybeShrink();
        return old;
    }

    private void removeAt(int i) {
        int cap = keys.length;
        // backward-shift deletion keeps probe chains intact without tombstones
        int hole = i;
        for (int j = next(i); keys[j] != 0; j = next(j)) {
            int home = slot(keys[j], cap);
            if (Math.floorMod(j - home, cap) >= Math.floorMod(j - hole, cap)) {
                keys[hole] = keys[j];
                vals[hole] = vals[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        vals[hole] = null;
        size4--;
    }

    private void maybeShrink() {
        if (keys.length > MIN_CAPACITY && size4 * 4L < keys.length) resize(Math.max(MIN_CAPACITY, size4 * 2));
    }

    private void resize(int cap) {
        int[] ok = keys;
        Object[] ov = vals;
        keys = new int[cap];
        vals = new Object[cap];
        seed = java.util.concurrent.ThreadLocalRandom.current().nextInt();
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] == 0) continue;
            int j = slot(ok[i], cap);
            while (keys[j] != 0) j = next(j);
            keys[j] = ok[i];
            vals[j] = ov[i];
        }
    }

    public int size() { return size4 + other.size(); }

    public boolean isEmpty() { return size() == 0; }

    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<IpPrefix, V> f) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != 0) f.accept(prefix(keys[i]), (V) vals[i]);
        other.forEach(f);
    }

    /** A copy of the keys (allocates one {@link IpPrefix} per entry; prefer {@link #keyView}). */
    public List<IpPrefix> keys() {
        List<IpPrefix> out = new ArrayList<>(size());
        forEach((p, v) -> out.add(p));
        return out;
    }

    /**
     * The keys as a read-only view that creates each {@link IpPrefix} only when iterated; it must not be used
     * after the map changes (callers hand over a map they dropped, e.g. a cleared Adj-RIB-In).
     */
    public Collection<IpPrefix> keyView() {
        int[] k = keys;
        int size = size();
        Collection<IpPrefix> rest = other.keySet();
        return new AbstractCollection<>() {
            @Override
            public int size() { return size; }

            @Override
            public Iterator<IpPrefix> iterator() {
                Iterator<IpPrefix> tail = rest.iterator();
                return new Iterator<>() {
                    int i = advance(0);

                    private int advance(int from) {
                        while (from < k.length && k[from] == 0) from++;
                        return from;
                    }

                    @Override
                    public boolean hasNext() { return i < k.length || tail.hasNext(); }

                    @Override
                    public IpPrefix next() {
                        if (i < k.length) {
                            IpPrefix p = prefix(k[i]);
                            i = advance(i + 1);
                            return p;
                        }
                        if (!tail.hasNext()) throw new NoSuchElementException();
                        return tail.next();
                    }
                };
            }
        };
    }

    /**
     * Removes and returns up to {@code max} keys (in no particular order). Scans from the end of the table,
     * so each removed entry is usually the last of its probe run and nothing needs shifting.
     */
    public List<IpPrefix> pollKeys(int max) { return poll(max, false); }

    /** Like {@link #pollKeys} but returns the values (a set of prefixes stored as {@code put(p, p)} makes none). */
    public List<V> pollValues(int max) { return poll(max, true); }

    @SuppressWarnings("unchecked")
    private <T> List<T> poll(int max, boolean values) {
        List<T> out = new ArrayList<>(Math.min(max, size()));
        boolean all = size() <= max;
        for (int i = keys.length - 1; i >= 0 && out.size() < max; i--) {
            if (keys[i] == 0) continue;
            out.add((T) (values ? vals[i] : prefix(keys[i])));
            if (!all) removeAt(i); // may pull a wrapped-around entry into slot i: it is simply polled next time
        }
        for (var it = other.entrySet().iterator(); it.hasNext() && out.size() < max; ) {
            var e = it.next();
            out.add((T) (values ? e.getValue() : e.getKey()));
            it.remove();
        }
        if (all && keys.length <= 4 * max) { // a work set that fills and drains: keep its arrays
            java.util.Arrays.fill(keys, 0);
            java.util.Arrays.fill(vals, null);
            size4 = 0;
        } else if (all) {
            clear();
        } // a partial poll keeps the capacity: the set is being drained and refilled
        return out;
    }

    public void clear() {
        keys = new int[MIN_CAPACITY];
        vals = new Object[MIN_CAPACITY];
        size4 = 0;
        other.clear();
    }

    /**
     * What the next growth of the IPv4 table allocates (new key and value arrays, 8 bytes a slot with
     * compressed references) if it is at most {@code within} insertions away, else 0. The memory guard adds
     * it to the live heap: the old arrays are still live while the new ones are filled.
     */
    public long growthBytes(int within) {
        if ((size4 + (long) within) * 4L <= keys.length * 3L) return 0;
        return 8L * Math.max(keys.length + MIN_CAPACITY, keys.length / 4 * 5);
    }

    /** The longest run of occupied slots (for tests: linear probing stays fast only while runs are short). */
    int longestRun() {
        int longest = 0, run = 0;
        for (int i = 0; i < 2 * keys.length; i++) { // twice round: a run may wrap past the end
            run = keys[i % keys.length] != 0 ? run + 1 : 0;
            longest = Math.max(longest, Math.min(run, keys.length));
        }
        return longest;
    }

    /** Table capacity for IPv4 prefixes up to /31 (for tests and memory accounting). */
    int capacity() { return keys.length; }

    @Override
    public String toString() { return "PrefixMap[size=" + size() + ", v4 capacity=" + keys.length + "]"; }
}
