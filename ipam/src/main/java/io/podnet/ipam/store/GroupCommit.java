package io.podnet.ipam.store;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of a directory: writers take a ticket after their change is visible in the directory, then
 * {@link #await} it. One waiter at a time runs the sync (the leader); it covers every ticket handed out before
 * it started, and the writers that queued meanwhile are covered together by the next sync. So N concurrent
 * reservations cost about two syncs, not N, and nobody syncs while holding the store lock.
 * <p>Complicating factors: a ticket taken while a sync is running is not covered by it (its link may have come
 * after the fsync began), hence {@code target} is read before the sync starts; a failed sync fails exactly the
 * tickets it was meant to cover, and a later successful sync (which covers everything before it) clears them.
 */
final class GroupCommit {
    /** The durability barrier, e.g. fsync of the directory. */
    @FunctionalInterface
    interface Sync {
        void run() throws IOException;
    }

    private final Sync sync;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long issued;
    private long durable;
    private long failedUpTo;
    private IOException failure;
    private boolean running;
    private long syncs;

    GroupCommit(Sync sync) {
        this.sync = sync;
    }

    /** A ticket for a change that is already visible; call after the change, before {@link #await}. */
    long ticket() {
        lock.lock();
        try {
            return ++issued;
        } finally {
            lock.unlock();
        }
    }

    /** Returns once a sync that started after {@code ticket} was issued has completed; throws if that sync failed. */
    void await(long ticket) throws IOException {
        lock.lock();
        try {
            while (durable < ticket) {
                if (failure != null && ticket <= failedUpTo) throw new IOException("sync failed: " + failure.getMessage(), failure);
                if (running) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                lead();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs one sync without the lock; called with the lock held, returns with it held. */
    private void lead() {
        running = true;
        long target = issued;
        IOException err = null;
        lock.unlock();
        try {
            sync.run();
        } catch (IOException e) {
            err = e;
        } catch (RuntimeException e) {
            err = new IOException(e);
        } finally {
            lock.lock();
        }
        running = false;
        syncs++;
        if (err == null) {
            durable = Math.max(durable, target);
            if (failedUpTo <= durable) failure = null;
        } else {
            failure = err;
            failedUpTo = Math.max(failedUpTo, target);
        }
        changed.signalAll();
    }

    /** Syncs run so far (for tests: fewer than tickets when writers were concurrent). */
    long syncs() {
        lock.lock();
        try {
            return syncs;
        } finally {
            lock.unlock();
        }
    }
}
