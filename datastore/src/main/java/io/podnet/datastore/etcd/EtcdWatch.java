package io.podnet.datastore.etcd;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.podnet.datastore.Event;
import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchListener;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One prefix watch on etcd through jetcd that survives outages without losing or repeating an event.
 *
 * <pre>
 *   jetcd stream ──onNext──► WatchFeed (dedupe, group by revision, serial delivery) ──► listener
 *        │ onError: compacted ──────────────────────────► Compacted(compactRevision)  (terminal)
 *        │ onError: auth/permission ────────────────────► Failed                      (terminal)
 *        └ onError/onCompleted otherwise ──► re-watch from lastSeen + 1 after a back-off
 * </pre>
 *
 * Complicating factors: jetcd itself re-creates a broken stream and resumes from the revision it saw last,
 * and we re-watch on top of that when jetcd gives up; either path may replay events already delivered, which
 * the {@link WatchFeed} drops.
 */
final class EtcdWatch implements Watch, io.etcd.jetcd.Watch.Listener {
    private static final System.Logger LOG = System.getLogger(EtcdWatch.class.getName());
    private static final long REWATCH_DELAY_MS = 300;

    private final EtcdDatastore owner;
    private final io.etcd.jetcd.Watch client;
    private final String prefix;
    private final ScheduledExecutorService rewatcher;
    private final WatchFeed feed;
    private io.etcd.jetcd.Watch.Watcher watcher;

    EtcdWatch(EtcdDatastore owner, String prefix, WatchListener listener) {
        this.owner = owner;
        this.client = owner.watchClient();
        this.prefix = prefix;
        this.rewatcher = owner.rewatcher();
        this.feed = new WatchFeed(prefix, listener, this::closeSource);
    }

    /** Starts at {@code fromRevision} (0 = after {@code currentRevision}). */
    void start(long fromRevision, long currentRevision) {
        feed.start(fromRevision, currentRevision);
        open();
    }

    private synchronized void open() {
        if (!feed.active() || watcher != null) return;
        WatchOption opt = WatchOption.builder()
                .withRange(EtcdDatastore.prefixEnd(prefix))
                .withRevision(feed.resumeRevision())
                .withPrevKV(true)
                .withRequireLeader(true)   // a member cut off from the leader ends the stream; we move on
                .build();
        watcher = client.watch(EtcdDatastore.bytes(prefix.isEmpty() ? "\0" : prefix), opt, this);
    }

    @Override
    public void onNext(io.etcd.jetcd.watch.WatchResponse response) {
        List<Event> events = new ArrayList<>();
        for (WatchEvent we : response.getEvents()) {
            Event e = EtcdDatastore.event(we);
            if (e != null) events.add(e);
        }
        // one call under the feed's lock, so two overlapping streams (old and new during a re-watch) cannot
        // interleave batches; offer() only enqueues, it never blocks
        feed.offer(events);
    }

    @Override
    public void onError(Throwable t) {
        if (t instanceof CompactedException ce) {
            feed.endCompacted(ce.getCompactedRevision());
        } else if (t instanceof EtcdException ee && isFatal(ee.getErrorCode())) {
            feed.endFailed(EtcdErrorText.messages(t), t);
        } else if (feed.active()) {
            LOG.log(Level.DEBUG, "watch prefix={0} reason={1}: re-watching", prefix, EtcdErrorText.messages(t));
            rewatchLater();
        }
    }

    @Override
    public void onCompleted() {
        if (feed.active()) rewatchLater();
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

    private void closeSource() {
        io.etcd.jetcd.Watch.Watcher old;
        synchronized (this) {
            old = watcher;
            watcher = null;
        }
        if (old != null) old.close();
        owner.forget(this);
    }

    @Override
    public long lastRevision() { return feed.lastRevision(); }

    @Override
    public void close() { feed.close(); }
}
