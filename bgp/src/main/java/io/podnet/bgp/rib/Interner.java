package io.podnet.bgp.rib;

import java.lang.ref.WeakReference;
import java.util.WeakHashMap;

/**
 * Shares equal {@link Attrs} instances so a table of many prefixes with few distinct paths costs one object
 * per path (the memory trick of BIRD's rta cache and gobgp's attribute hashing). Entries vanish when no route
 * uses them. Owned by the RIB thread; not thread-safe.
 */
final class Interner {
    private final WeakHashMap<Attrs, WeakReference<Attrs>> map = new WeakHashMap<>();

    Attrs intern(Attrs a) {
        WeakReference<Attrs> ref = map.get(a);
        Attrs existing = ref == null ? null : ref.get();
        if (existing != null) return existing;
        map.put(a, new WeakReference<>(a));
        return a;
    }

    int size() { return map.size(); }
}
