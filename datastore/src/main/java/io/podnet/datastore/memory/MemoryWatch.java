package io.podnet.datastore.memory;

import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchListener;
import io.podnet.datastore.WatchResponse;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One watch on a {@link MemoryDatastore}: the store enqueues batches under its lock (so none is lost or
 * reordered), and a virtual thread hands them to the listener, as etcd's client does on its own thread.
 */
final class MemoryWatch implements Watch {
    private final String prefix;
    private final WatchListener listener;
    private final LinkedBlockingQueue<WatchResponse> queue = new LinkedBlockingQueue<>();
    private final Thread deliverer;
    private volatile boolean closed;
    private volatile long lastRevision;

    MemoryWatch(String prefix, long fromRevision, WatchListener listener) {
        this.prefix = prefix;
        this.listener = listener;
        this.lastRevision = Math.max(0, fromRevision - 1);
        this.deliverer = Thread.ofVirtual().name("memory-watch " + prefix).unstarted(this::deliver);
    }

    void start() { deliverer.start(); }

    String prefix() { return prefix; }

    boolean closed() { return closed; }

    /** Called by the store, under its lock, in revision order. */
    void enqueue(WatchResponse response) {
        if (!closed) queue.add(response);
    }

    private void deliver() {
        try {
            while (!closed) {
                WatchResponse r = queue.take();
                if (closed) return;
                if (r instanceof WatchResponse.Events e) lastRevision = e.lastRevision();
                try {
                    listener.on(r);
                } catch (RuntimeException bug) {
                    System.getLogger(MemoryWatch.class.getName()).log(System.Logger.Level.WARNING,
                            "watch prefix=" + prefix + ": listener threw; delivery goes on", bug);
                }
                if (!(r instanceof WatchResponse.Events)) closed = true;
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    @Override
    public long lastRevision() { return lastRevision; }

    @Override
    public void close() {
        closed = true;
        deliverer.interrupt();
        if (Thread.currentThread() != deliverer) {
            try {
                deliverer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
