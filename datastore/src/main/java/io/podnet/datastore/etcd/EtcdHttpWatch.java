package io.podnet.datastore.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.datastore.AuthenticationException;
import io.podnet.datastore.Watch;
import io.podnet.datastore.WatchListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One prefix watch through etcd's JSON gateway: a streaming {@code POST /v3/watch}, one JSON message per line,
 * read by a virtual thread and handed to a {@link WatchFeed}; re-opened from the last revision seen whenever the
 * stream ends, on the next endpoint if this one failed.
 *
 * <pre>
 *   POST /v3/watch {create_request} ──lines──► created | events ──► WatchFeed ──► listener
 *        │ canceled + compact_revision ──────► Compacted      (terminal)
 *        │ canceled: permission denied, auth ─► Failed         (terminal)
 *        └ stream ends, fails, "no leader", or silent for IDLE_REOPEN ──► re-open from lastSeen + 1 after 300 ms
 * </pre>
 *
 * Complicating factors: the gateway cannot carry client messages after the request body (etcd 3.4's Go HTTP/1
 * server is not full duplex), so there are no progress requests and a connection that died silently (a black-holed
 * peer) would stall the watch for good; a watchdog re-opens a stream that has been silent for {@link #IDLE_REOPEN}
 * (30 s)
 * (an idle watch costs one cheap request per interval), in the role gRPC keep-alive pings play for jetcd. A
 * re-opened stream may replay events, which the feed drops.
 */
final class EtcdHttpWatch implements Watch {
    private static final System.Logger LOG = System.getLogger(EtcdHttpWatch.class.getName());
    private static final Duration REWATCH_DELAY = Duration.ofMillis(300);
    /** A stream silent this long is re-opened (the default; tests shorten it). */
    static final Duration IDLE_REOPEN = Duration.ofSeconds(30);

    private final EtcdGateway gateway;
    private final String prefix;
    private final WatchFeed feed;
    private final Consumer<EtcdHttpWatch> forget;
    private final Duration idleReopen;
    private volatile InputStream stream;
    private volatile long lastMessage = System.nanoTime();
    private volatile boolean silenced;
    private volatile Thread reader;
    private volatile Thread watchdog;

    EtcdHttpWatch(EtcdGateway gateway, String prefix, WatchListener listener, Duration idleReopen, Consumer<EtcdHttpWatch> forget) {
        this.gateway = gateway;
        this.idleReopen = idleReopen;
        this.prefix = prefix;
        this.forget = forget;
        this.feed = new WatchFeed(prefix, listener, this::closeSource);
    }

    /** Starts at {@code fromRevision} (0 = after {@code currentRevision}). */
    void start(long fromRevision, long currentRevision) {
        feed.start(fromRevision, currentRevision);
        reader = Thread.ofVirtual().name("etcd-watch-stream").start(this::run);
        watchdog = Thread.ofVirtual().name("etcd-watch-idle").start(this::watchIdle);
    }

    private void run() {
        while (feed.active()) {
            int endpoint = gateway.currentIndex();
            boolean endpointFailed = read(endpoint);
            if (!feed.active()) return;
            if (endpointFailed) gateway.moveOn(endpoint);
            try {
                Thread.sleep(REWATCH_DELAY);
            } catch (InterruptedException e) {
                return; // closed
            }
        }
    }

    /** Reads one stream until it ends; returns whether the endpoint failed (rather than the stream ending). */
    private boolean read(int endpoint) {
        String request = EtcdJson.watch(EtcdKeys.from(prefix), EtcdKeys.prefixEnd(prefix), feed.resumeRevision());
        silenced = false;
        try (InputStream in = gateway.stream("watch " + prefix, "/v3/watch", request)) {
            stream = in;
            lastMessage = System.nanoTime();
            if (!feed.active()) return false;
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lastMessage = System.nanoTime();
                JsonNode n = EtcdJson.parse(line.getBytes(StandardCharsets.UTF_8));
                if (n == null) continue;
                switch (EtcdJson.watchMessage(n)) {
                    case EtcdJson.WatchMessage.Created c -> { }
                    case EtcdJson.WatchMessage.Progress p -> { }
                    case EtcdJson.WatchMessage.Changes c -> feed.offer(c.events());
                    case EtcdJson.WatchMessage.Canceled c -> {
                        if (c.compactRevision() > 0) {
                            feed.endCompacted(c.compactRevision());
                        } else if (isFatal(0, c.reason())) {
                            feed.endFailed(c.reason(), null);
                        }
                        return false;
                    }
                    case EtcdJson.WatchMessage.Failed f -> {
                        if (isFatal(f.failure().code(), f.failure().message())) {
                            feed.endFailed(f.failure().message(), null);
                            return false;
                        }
                        LOG.log(Level.DEBUG, "watch prefix={0} reason={1}: re-watching", prefix, f.failure().message());
                        return true;
                    }
                }
            }
            return false;
        } catch (AuthenticationException e) {
            feed.endFailed(e.getMessage(), e);
            return false;
        } catch (IOException e) {
            // anything else etcd answers at the open is a member in trouble (no leader, shutting down: "grpc: the
            // client connection is closing"), not a verdict on the watch: re-open elsewhere
            return rewatch(e);
        } catch (InterruptedException e) {
            return false; // closed
        } finally {
            stream = null;
        }
    }

    /** The stream failed: re-watch (on the next endpoint unless the watchdog ended a silent stream). */
    private boolean rewatch(IOException e) {
        if (silenced) return false;
        if (feed.active()) LOG.log(Level.DEBUG, "watch prefix={0} reason={1}: re-watching", prefix, EtcdErrorText.messages(e));
        return true;
    }

    private static boolean isFatal(int code, String message) {
        return code == EtcdJson.PERMISSION_DENIED || code == EtcdJson.UNAUTHENTICATED || code == EtcdJson.INVALID_ARGUMENT
                || message.contains("permission denied");
    }

    /** Ends a stream that has been silent for {@code idleReopen}: the reader then re-opens it. */
    private void watchIdle() {
        while (feed.active()) {
            try {
                Thread.sleep(idleReopen.dividedBy(4));
            } catch (InterruptedException e) {
                return;
            }
            InputStream s = stream;
            if (s != null && System.nanoTime() - lastMessage > idleReopen.toNanos()) {
                LOG.log(Level.DEBUG, "watch prefix={0}: silent for {1} ms, re-opening", prefix, idleReopen.toMillis());
                silenced = true;
                closeQuietly(s);
            }
        }
    }

    private void closeSource() {
        InputStream s = stream;
        if (s != null) closeQuietly(s);
        for (Thread t : new Thread[] {reader, watchdog}) {
            if (t != null && t != Thread.currentThread()) t.interrupt();
        }
        forget.accept(this);
    }

    private static void closeQuietly(InputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            // the stream is gone either way
        }
    }

    @Override
    public long lastRevision() { return feed.lastRevision(); }

    @Override
    public void close() { feed.close(); }
}
