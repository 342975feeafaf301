package io.podnet.cni.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per key, created on demand and dropped when nobody holds or waits for it, so the map stays as small
 * as the number of containers currently being worked on. Safe with virtual threads (ReentrantLock, no pinning).
 */
final class KeyedLocks {
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }

    private final ConcurrentHashMap<String, Entry> locks = new ConcurrentHashMap<>();

    /** Runs {@code body} holding the lock for {@code key}; an empty key takes no lock. */
    <T> T with(String key, java.util.concurrent.Callable<T> body) throws Exception {
        if (key.isEmpty()) return body.call();
        Entry e = locks.compute(key, (k, v) -> {
            Entry x = v == null ? new Entry() : v;
            x.users++;
            return x;
        });
        e.lock.lock();
        try {
            return body.call();
        } finally {
            e.lock.unlock();
            locks.computeIfPresent(key, (k, v) -> --v.users == 0 ? null : v);
        }
    }

    /** Threads waiting for {@code key}'s lock (for tests). */
    int queued(String key) {
        Entry e = locks.get(key);
        return e == null ? 0 : e.lock.getQueueLength();
    }

    int size() {
        return locks.size();
    }
}
