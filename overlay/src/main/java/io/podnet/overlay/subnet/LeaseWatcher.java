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

    private void resync() throws DatastoreException {
        Snapshot snap = manager.store().snapshot(manager.subnetsPrefix(), 500);
        List<LeaseEvent> diff = new ArrayList<>();
        synchronized (this) {
            Map<IpPrefix, SubnetLease> fresh = new HashMap<>();
            for (KeyValue kv : snap.kvs()) manager.parse(kv).ifPresent(l -> fresh.put(l.subnet(), l));
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
        if (!diff.isEmpty()) listener.accept(diff);
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
                    if (current.remove(subnet) != null) out.add(new LeaseEvent.Removed(subnet));
                } else {
                    Optional<SubnetLease> l = manager.parse(e.kv());
                    if (l.isPresent()) {
                        current.put(subnet, l.get());
                        out.add(new LeaseEvent.Added(l.get()));
                    }
                }
            }
        }
        if (!out.isEmpty()) listener.accept(out);
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
