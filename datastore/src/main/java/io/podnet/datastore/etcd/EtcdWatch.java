package io.podnet.datastore.etcd;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Event;
import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchListener;
import io.podnet.datastore.WatchResponse;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One prefix watch on etcd that survives outages without losing or repeating an event.
 *
 * <pre>
 *   jetcd stream ──onNext──► dedupe (revision, key) ──► group by revision ──► serial deliverer ──► listener
 *        │ onError: compacted ──────────────────────────► Compacted(compactRevision)  (terminal)
 *        │ onError: auth/permission ────────────────────► Failed                      (terminal)
 *        └ onError/onCompleted otherwise ──► re-watch from lastSeen + 1 after a back-off
 * </pre>
 *
 * Complicating factors: jetcd itself re-creates a broken stream and resumes from the revision it saw last,
 * and we re-watch on top of that when jetcd gives up; either path may replay events already delivered, so
 * the dedupe step keeps the highest revision seen and the keys seen at that revision. etcd delivers all events
 * of one revision in one response (the fragment option is off), so grouping never splits a revision.
 */
final class EtcdWatch implements Watch, io.etcd.jetcd.Watch.Listener {
    private static final System.Logger LOG = System.getLogger(EtcdWatch.class.getName());
    private static final long REWATCH_DELAY_MS = 300;

    private final EtcdDatastore owner;
    private final io.etcd.jetcd.Watch client;
    private final String prefix;
    private final WatchListener listener;
    private final ScheduledExecutorService rewatcher;
    private final ExecutorService deliverer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("etcd-watch").factory());
    private final Set<String> keysAtSeen = new HashSet<>();
    private long seenRevision;
    private io.etcd.jetcd.Watch.Watcher watcher;
    private volatile long deliveredRevision;
    private volatile boolean closed;
    private boolean terminal;
    private volatile Thread deliveryThread;

    EtcdWatch(EtcdDatastore owner, String prefix, WatchListener listener) {
        this.owner = owner;
        this.client = owner.watchClient();
        this.prefix = prefix;
        this.listener = listener;
        this.rewatcher = owner.rewatcher();
    }

    /** Starts at {@code fromRevision} (0 = after {@code currentRevision}). */
    synchronized void start(long fromRevision, long currentRevision) {
        seenRevision = (fromRevision == 0 ? currentRevision + 1 : fromRevision) - 1;
        deliveredRevision = seenRevision;
        open();
    }

    private synchronized void open() {
        if (closed || terminal || watcher != null) return;
        WatchOption opt = WatchOption.builder()
                .withRange(EtcdDatastore.prefixEnd(prefix))
                .withRevision(seenRevision + 1)
                .withPrevKV(true)
                .withRequireLeader(true)   // a member cut off from the leader ends the stream; we move on
                .build();
        watcher = client.watch(EtcdDatastore.bytes(prefix.isEmpty() ? "\0" : prefix), opt, this);
    }

    @Override
    public void onNext(io.etcd.jetcd.watch.WatchResponse response) {
        List<Event> fresh = new ArrayList<>();
        // under the lock so two overlapping streams (old and new during a re-watch) cannot interleave batches;
        // deliver() only enqueues, it never blocks
        synchronized (this) {
            if (closed) return;
            for (WatchEvent we : response.getEvents()) {
                Event e = EtcdDatastore.event(we);
                if (e != null && isNew(e)) fresh.add(e);
            }
            int i = 0;
            while (i < fresh.size()) {
                int j = i;
                while (j < fresh.size() && fresh.get(j).revision() == fresh.get(i).revision()) j++;
                deliver(new WatchResponse.Events(fresh.subList(i, j)));
                i = j;
            }
        }
    }

    private boolean isNew(Event e) {
        long rev = e.revision();
        if (rev < seenRevision || rev == seenRevision && keysAtSeen.contains(e.key())) return false;
        if (rev > seenRevision) {
            seenRevision = rev;
            keysAtSeen.clear();
        }
        keysAtSeen.add(e.key());
        return true;
    }

    @Override
    public void onError(Throwable t) {
        long from;
        synchronized (this) {
            if (closed || terminal) return;
            from = seenRevision + 1;
            if (t instanceof CompactedException || t instanceof EtcdException ee && isFatal(ee.getErrorCode())) {
                terminal = true;
            }
        }
        if (t instanceof CompactedException ce) {
            deliver(new WatchResponse.Compacted(ce.getCompactedRevision(), from));
        } else if (terminal) {
            deliver(new WatchResponse.Failed(new DatastoreException("watch " + prefix + ": " + EtcdErrors.messages(t), t)));
        } else {
            LOG.log(Level.DEBUG, "watch prefix={0} reason={1}: re-watching", prefix, EtcdErrors.messages(t));
            rewatchLater();
        }
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            if (closed || terminal) return;
        }
        rewatchLater();
    }

    private static boolean isFatal(ErrorCode code) {
        return code == ErrorCode.PERMISSION_DENIED || code == ErrorCode.UNAUTHENTICATED
                || code == ErrorCode.INVALID_ARGUMENT;
    }

    /**
     * Replaces the jetcd watcher from the re-watch thread, never from a jetcd callback: jetcd calls us while
     * holding its watcher's lock, and closing that watcher from here would invert the lock order.
     */
    private void rewatchLater() {
        io.etcd.jetcd.Watch.Watcher old;
        synchronized (this) {
            old = watcher;
            watcher = null;
        }
        try {
            rewatcher.schedule(() -> {
                if (old != null) old.close();
                open();
            }, REWATCH_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the datastore is closing
        }
    }

    private void deliver(WatchResponse r) {
        try {
            deliverer.execute(() -> {
                deliveryThread = Thread.currentThread();
                if (closed) return;
                if (r instanceof WatchResponse.Events e) deliveredRevision = e.lastRevision();
                try {
                    listener.on(r);
                } catch (RuntimeException bug) {
                    LOG.log(Level.WARNING, "watch prefix=" + prefix + ": listener threw; delivery goes on", bug);
                }
                if (!(r instanceof WatchResponse.Events)) closeQuietly();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void closeQuietly() {
        io.etcd.jetcd.Watch.Watcher old;
        synchronized (this) {
            closed = true;
            old = watcher;
            watcher = null;
        }
        if (old != null) old.close();
        deliverer.shutdown();
        owner.forget(this);
    }

    @Override
    public long lastRevision() { return deliveredRevision; }

    @Override
    public void close() {
        closeQuietly();
        if (Thread.currentThread() == deliveryThread) return;
        try {
            if (!deliverer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "watch prefix={0}: listener still running 5 s after close", prefix);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
