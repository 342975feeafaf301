package io.podnet.bgp.rib;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A map from prefix to value sized for full tables: IPv4 prefixes are packed into a {@code long} key in an
 * open-addressing table (linear probing, backward-shift deletion), so an entry costs about 20 bytes instead
 * of a HashMap node plus an {@link IpPrefix} and {@link IpAddress} object (~90 bytes). IPv6 prefixes use an
 * ordinary HashMap. Not thread-safe (owned by the RIB thread).
 */
public final class PrefixMap<V> {
    private long[] keys = new long[16];
    private Object[] vals = new Object[16];
    private int size4;
    private final Map<IpPrefix, V> v6 = new HashMap<>();

    /** (address << 8 | length) + 1: never 0, which marks an empty slot. */
    private static long key(IpPrefix p) { return ((p.address().lo() << 8) | p.length()) + 1; }

    private static IpPrefix prefix(long k) {
        long v = k - 1;
        return new IpPrefix(IpAddress.v4((int) (v >>> 8)), (int) (v & 0xff));
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & (keys.length - 1);
    }

    @SuppressWarnings("unchecked")
    public V get(IpPrefix p) {
        if (p.family() == IpFamily.V6) return v6.get(p);
        long k = key(p);
        for (int i = slot(k); keys[i] != 0; i = (i + 1) & (keys.length - 1)) {
            if (keys[i] == k) return (V) vals[i];
        }
        return null;
    }

    /** Stores {@code value} (non-null); returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(IpPrefix p, V value) {
        if (value == null) throw new IllegalArgumentException("null value");
        if (p.family() == IpFamily.V6) return v6.put(p, value);
        long k = key(p);
        int i = slot(k);
        for (; keys[i] != 0; i = (i + 1) & (keys.length - 1)) {
            if (keys[i] == k) {
                V old = (V) vals[i];
                vals[i] = value;
                return old;
            }
        }
        keys[i] = k;
        vals[i] = value;
        if (++size4 * 4 > keys.length * 3) resize(keys.length * 2);
        return null;
    }

    @SuppressWarnings("unchecked")
    public V remove(IpPrefix p) {
        if (p.family() == IpFamily.V6) return v6.remove(p);
        long k = key(p);
        int mask = keys.length - 1;
        int i = slot(k);
        for (; keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == k) break;
        }
        if (keys[i] == 0) return null;
        V old = (V) vals[i];
        // backward-shift deletion keeps probe chains intact without tombstones
        int hole = i;
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                vals[hole] = vals[j];
                hole = j;
            }
        }
        keys[hole] = 0;
        vals[hole] = null;
        size4--;
        return old;
    }

    private void resize(int cap) {
        long[] ok = keys;
        Object[] ov = vals;
        keys = new long[cap];
        vals = new Object[cap];
        for (int i = 0; i < ok.length; i++) {
            if (ok[i] == 0) continue;
            int j = slot(ok[i]);
            while (keys[j] != 0) j = (j + 1) & (cap - 1);
            keys[j] = ok[i];
            vals[j] = ov[i];
        }
    }

    public int size() { return size4 + v6.size(); }

    public boolean isEmpty() { return size() == 0; }

    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<IpPrefix, V> f) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != 0) f.accept(prefix(keys[i]), (V) vals[i]);
        v6.forEach(f);
    }

    public List<IpPrefix> keys() {
        List<IpPrefix> out = new ArrayList<>(size());
        forEach((p, v) -> out.add(p));
        return out;
    }

    public void clear() {
        keys = new long[16];
        vals = new Object[16];
        size4 = 0;
        v6.clear();
    }

    @Override
    public String toString() { return "PrefixMap[size=" + size() + ", v4 capacity=" + keys.length + "]"; }

}
