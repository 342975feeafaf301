package io.podnet.overlay.subnet;

import io.podnet.dataplane.Backoff;
import io.podnet.dataplane.Retry;
import io.podnet.dataplane.Scheduler;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Event;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Snapshot;
import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchResponse;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Keeps a live view of every subnet lease and tells a listener what changed. Starts from a snapshot
 * (delivered as Added events), then watches from the snapshot's revision + 1. When the watch reports that
 * history was compacted, it relists and delivers the diff, so no change is ever missed.
 *
 * <p>Complicating factors: anyone with access to etcd can write under the subnets prefix (a foreign writer, an
 * older flannel, a typo with etcdctl). A value that is not flannel's lease JSON is skipped, logged once per key
 * and revision with the key and the reason, and listed in {@link #skipped()}; a lease already known under that
 * key is kept as it was. A listener that throws is logged and does not stop the watch.
 */
public final class LeaseWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LeaseWatcher.class.getName());

    /** A change to the set of leases. */
    public sealed interface LeaseEvent {
        IpPrefix subnet();

        /** A lease appeared or its attributes changed. */
        record Added(SubnetLease lease) implements LeaseEvent {
            public IpPrefix subnet() { return lease.subnet(); }
        }

        /** A lease went away (released, expired, deleted). */
        record Removed(IpPrefix subnet) implements LeaseEvent {}
    }

    /** Relist retries: 100 ms doubling to 5 s. */
    static final Backoff RELIST_BACKOFF = new Backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(5));
    private final SubnetManager manager;
    private final Consumer<List<LeaseEvent>> listener;
    private final Scheduler scheduler;
    private Retry relist;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("podnet-lease-watch").unstarted(r));
    private final Map<IpPrefix, SubnetLease> current = new HashMap<>();
    /** Keys whose latest value is not a lease, with the reason (for diagnostics). */
    private final Map<String, String> skipped = new java.util.TreeMap<>();
    private Watch watch;
    private volatile boolean closed;

    private LeaseWatcher(SubnetManager manager, Consumer<List<LeaseEvent>> listener, Scheduler scheduler) {
        this.manager = manager;
        this.listener = listener;
        this.scheduler = scheduler;
    }

    /** Lists, delivers the initial leases synchronously, then watches; relists after a failed or compacted watch. */
    public static LeaseWatcher start(SubnetManager manager, Consumer<List<LeaseEvent>> listener, Scheduler scheduler) throws DatastoreException {
        LeaseWatcher w = new LeaseWatcher(manager, listener, scheduler);
        w.resync();
        return w;
    }

    /** The current leases. */
    public synchronized Map<IpPrefix, SubnetLease> leases() { return Map.copyOf(current); }

    /** Keys under the subnets prefix whose latest value was skipped, with why. */
    public synchronized Map<String, String> skipped() { return Map.copyOf(skipped); }

    /** The lease of one key-value, or empty (recorded and logged) when it is not one. Called holding the lock. */
    private Optional<SubnetLease> lease(KeyValue kv) {
        try {
            SubnetLease l = manager.decode(kv);
            skipped.remove(kv.key());
            return Optional.of(l);
        } catch (RuntimeException e) { // IllegalArgumentException for foreign values; anything else must not stop the watch
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (why.length() > 300) why = why.substring(0, 300) + "...";
            if (!why.equals(skipped.put(kv.key(), why))) {
                LOG.log(System.Logger.Level.WARNING, "skipping lease key=" + kv.key() + " revision=" + kv.modRevision() + " reason=" + why);
            }
            return Optional.empty();
        }
    }

    private void tell(List<LeaseEvent> events) {
        try {
            listener.accept(events);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "lease listener failed for " + events.size() + " events; watch continues", e);
        }
    }

    private void resync() throws DatastoreException {
        Snapshot snap = manager.store().snapshot(manager.subnetsPrefix(), 500);
        List<LeaseEvent> diff = new ArrayList<>();
        synchronized (this) {
            Map<IpPrefix, SubnetLease> fresh = new HashMap<>();
            skipped.clear();
            for (KeyValue kv : snap.kvs()) lease(kv).ifPresent(l -> fresh.put(l.subnet(), l));
            for (IpPrefix gone : new ArrayList<>(current.keySet())) {
                if (!fresh.containsKey(gone)) diff.add(new LeaseEvent.Removed(gone));
            }
            for (SubnetLease l : fresh.values()) {
                SubnetLease old = current.get(l.subnet());
                if (old == null || !old.attrs().equals(l.attrs())) diff.add(new LeaseEvent.Added(l));
            }
            current.clear();
            current.putAll(fresh);
        }
        if (!diff.isEmpty()) tell(diff);
        if (closed) return;
        watch = manager.store().watch(manager.subnetsPrefix(), snap.revision() + 1, this::on);
    }

    private void on(WatchResponse r) {
        switch (r) {
            case WatchResponse.Events ev -> deliver(ev.events());
            case WatchResponse.Compacted c -> {
                LOG.log(System.Logger.Level.INFO, "lease watch compacted at " + c.compactRevision() + "; relisting");
                scheduleResync();
            }
            case WatchResponse.Failed f -> {
                LOG.log(System.Logger.Level.WARNING, "lease watch failed: " + f.cause().getMessage() + "; relisting");
                scheduleResync();
            }
        }
    }

    private void deliver(List<Event> events) {
        List<LeaseEvent> out = new ArrayList<>();
        synchronized (this) {
            for (Event e : events) {
                String name = e.key().substring(manager.subnetsPrefix().length());
                IpPrefix subnet;
                try {
                    subnet = SubnetLease.parseKeyName(name);
                } catch (IllegalArgumentException ex) {
                    continue;
                }
                if (e.type() == Event.Type.DELETE) {
                    skipped.remove(e.key());
                    if (current.remove(subnet) != null) out.add(new LeaseEvent.Removed(subnet));
                } else {
                    Optional<SubnetLease> l = lease(e.kv());
                    if (l.isPresent()) {
                        current.put(subnet, l.get());
                        out.add(new LeaseEvent.Added(l.get()));
                    }
                }
            }
        }
        if (!out.isEmpty()) tell(out);
    }

    private synchronized void scheduleResync() {
        if (closed) return;
        if (relist != null && !relist.done()) return; // one relist at a time; it ends in a fresh watch
        relist = Retry.start("lease relist", scheduler, worker, RELIST_BACKOFF, () -> {
            if (watch != null) watch.close();
            if (!closed) resync();
        });
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (relist != null) relist.cancel();
        }
        if (watch != null) watch.close();
        worker.shutdownNow();
    }
}
