package io.podnet.bgp.rib;

import java.lang.ref.WeakReference;
import java.util.WeakHashMap;

/**
 * Shares equal immutable instances ({@link Attrs}, Loc-RIB entries) so a table of many prefixes with few
 * distinct paths costs one object per path (the memory trick of BIRD's rta cache and gobgp's attribute
 * hashing). Entries vanish when nothing uses them. Owned by the RIB thread; not thread-safe.
 */
final class Interner<T> {
    private final WeakHashMap<T, WeakReference<T>> map = new WeakHashMap<>();

    T intern(T a) {
        WeakReference<T> ref = map.get(a);
        T existing = ref == null ? null : ref.get();
        if (existing != null) return existing;
        map.put(a, new WeakReference<>(a));
        return a;
    }

    int size() { return map.size(); }
}
