package io.podnet.datastore.etcd;

import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Event;
import io.podnet.datastore.WatchListener;
import io.podnet.datastore.WatchResponse;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The delivering half of one etcd watch, shared by both clients: whatever the stream (jetcd's, or a JSON
 * gateway response) and however often it was re-opened, the listener sees each event once, in revision order.
 *
 * <pre>
 *   stream events ──offer──► dedupe (revision, key) ──► group by revision ──► serial deliverer ──► listener
 *   end(Compacted | Failed) ─────────────────────────────────────────────────► (terminal: then closed)
 * </pre>
 *
 * Complicating factors: a re-opened stream resumes from {@link #resumeRevision()} but may replay events already
 * delivered (jetcd resumes by itself too), so the feed keeps the highest revision seen and the keys seen at it.
 * etcd puts all events of one revision into one response (the fragment option is off), so grouping never
 * splits a revision. {@link #offer} only enqueues, so a stream thread holding the feed's lock never waits for
 * the listener.
 */
final class WatchFeed {
    private static final System.Logger LOG = System.getLogger(WatchFeed.class.getName());

    private final String prefix;
    private final WatchListener listener;
    private final Runnable closeSource;
    private final ExecutorService deliverer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("etcd-watch").factory());
    private final Set<String> keysAtSeen = new HashSet<>();
    private long seenRevision;
    private boolean ended;
    private volatile boolean closed;
    private volatile long deliveredRevision;
    private volatile Thread deliveryThread;

    /** {@code closeSource} stops the stream and forgets the watch; it runs once, when the feed closes. */
    WatchFeed(String prefix, WatchListener listener, Runnable closeSource) {
        this.prefix = prefix;
        this.listener = listener;
        this.closeSource = closeSource;
    }

    String prefix() { return prefix; }

    /** Starts at {@code fromRevision} (0 = after {@code currentRevision}). */
    synchronized void start(long fromRevision, long currentRevision) {
        seenRevision = (fromRevision == 0 ? currentRevision + 1 : fromRevision) - 1;
        deliveredRevision = seenRevision;
    }

    /** Where a (re-)opened stream starts: right after the last revision seen. */
    synchronized long resumeRevision() { return seenRevision + 1; }

    /** Whether the feed still wants events (not closed, not ended). */
    synchronized boolean active() { return !closed && !ended; }

    /** Events from a stream, oldest first: the ones not delivered yet go to the listener, a revision per batch. */
    synchronized void offer(List<Event> events) {
        if (closed || ended) return;
        List<Event> fresh = new ArrayList<>();
        for (Event e : events) {
            if (isNew(e)) fresh.add(e);
        }
        int i = 0;
        while (i < fresh.size()) {
            int j = i;
            while (j < fresh.size() && fresh.get(j).revision() == fresh.get(i).revision()) j++;
            deliver(new WatchResponse.Events(fresh.subList(i, j)));
            i = j;
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

    /** The resume revision was compacted: ends the watch with {@code Compacted}. False if it had ended already. */
    synchronized boolean endCompacted(long compactRevision) {
        if (closed || ended) return false;
        ended = true;
        deliver(new WatchResponse.Compacted(compactRevision, seenRevision + 1));
        return true;
    }

    /** The watch failed for good (permission denied ...): ends it with {@code Failed}. False if it had ended. */
    synchronized boolean endFailed(String reason, Throwable cause) {
        if (closed || ended) return false;
        ended = true;
        deliver(new WatchResponse.Failed(new DatastoreException("watch " + prefix + ": " + reason, cause)));
        return true;
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

    long lastRevision() { return deliveredRevision; }

    /** Stops delivery without waiting for a running listener. */
    void closeQuietly() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        closeSource.run();
        deliverer.shutdown();
    }

    /** Stops delivery; when it returns no listener call runs (unless called from the listener itself). */
    void close() {
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
