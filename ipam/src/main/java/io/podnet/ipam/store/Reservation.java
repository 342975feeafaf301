package io.podnet.ipam.store;

import io.podnet.ipam.Owner;
import io.podnet.net.IpAddress;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Addresses reserved by {@link LocalIpamStore#reserve}: already taken in the store (no other owner can get them),
 * but not yet known to survive a power loss until {@link #awaitDurable()} returns. A caller may do other work
 * (e.g. plumb the interface) before awaiting, but must not report the addresses to anyone before it returns.
 * {@link #cancel()} gives the addresses back (after a failed attach or a failed sync).
 */
public final class Reservation {
    private final LocalIpamStore store;
    private final Owner owner;
    private final List<IpAddress> ips;
    private final CompletableFuture<Void> durable;
    private final Timing timing;
    private volatile long syncWaitNanos = -1;

    /**
     * Where the time of a reservation went, in nanoseconds.
     *
     * @param prepareNanos writing (and, with fsync, syncing) the owner file before taking the lock
     * @param lockWaitNanos waiting for the in-process and the fcntl lock
     * @param lockHeldNanos holding them (choosing the addresses, linking the files)
     */
    public record Timing(long prepareNanos, long lockWaitNanos, long lockHeldNanos) {}

    Reservation(LocalIpamStore store, Owner owner, List<IpAddress> ips, CompletableFuture<Void> durable, Timing timing) {
        this.store = store;
        this.owner = owner;
        this.ips = List.copyOf(ips);
        this.durable = durable;
        this.timing = timing;
    }

    public Owner owner() { return owner; }

    /** One address per range set, in range-set order. */
    public List<IpAddress> ips() { return ips; }

    public Timing timing() { return timing; }

    /** Time spent in {@link #awaitDurable()} (the group commit), or -1 before it ran. */
    public long syncWaitNanos() { return syncWaitNanos; }

    /**
     * Blocks until the reservation is on stable storage (no-op for a store opened with {@code fsync=false}).
     * The sync started in the background when the addresses were reserved.
     */
    public void awaitDurable() throws IOException {
        long t0 = System.nanoTime();
        try {
            durable.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the IPAM sync", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("IPAM sync failed: " + e.getCause(), e.getCause());
        } finally {
            syncWaitNanos = System.nanoTime() - t0;
        }
    }

    /** Releases exactly these addresses (idempotent; other addresses of the owner stay). */
    public void cancel() throws IOException {
        store.unreserveAll(owner, ips);
    }
}
