package io.podnet.rtnetlink;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deletes links and returns as soon as the kernel has <em>unregistered</em> them, not when it has finished
 * freeing them. {@code RTM_DELLINK} answers only after {@code netdev_run_todo} has waited for an RCU barrier and
 * for the device's last references: 10–40 ms per veth pair here, of which the caller needs nothing. The device
 * is unlisted (its name free, gone from every dump, a veth's peer with it) a few milliseconds in, when the
 * kernel multicasts {@code RTM_DELLINK} to {@code RTNLGRP_LINK}. So the request is sent on a worker thread with
 * its own socket, and {@link #delete} returns when that notification arrives (or, if notifications were lost,
 * when the worker's request returns). Once unlisted, the teardown cannot be undone or interrupted: a crash of
 * this process after {@link #delete} returns leaves nothing behind.
 * <pre>{@code
 * try (var reaper = LinkReaper.open(NetNs.current(), 4)) {
 *     reaper.delete("pnv0a1b2c3d4e5");     // ~3 ms instead of ~25 ms; `ip link` no longer shows it
 * }
 * }</pre>
 * Each worker owns a netlink socket: a request blocked in the kernel's teardown holds its socket's lock, so
 * sharing the caller's {@link Rtnetlink} would stall every other request on it.
 */
public final class LinkReaper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LinkReaper.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final NetNs ns;
    private final ThreadPoolExecutor workers;
    private final BlockingQueue<Rtnetlink> handles = new LinkedBlockingQueue<>();
    /** Deletions in flight by link name, until the link is unlisted. */
    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> unlisting = new ConcurrentHashMap<>();
    private final LinkSubscription events;

    private LinkReaper(NetNs ns, int threads, boolean listen) throws IOException {
        this.ns = ns;
        this.workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("podnet-link-reaper-", 0).daemon().factory());
        workers.allowCoreThreadTimeOut(true);
        if (!listen) {
            this.events = null;
            return;
        }
        this.events = LinkSubscription.start(ns, e -> { // removals only: other link events never wake the reader
            if (e instanceof LinkEvent.Removed r) {
                CompletableFuture<Boolean> f = unlisting.get(r.link().name());
                // forget it now: a new link of the same name may be created (and deleted) before the worker returns
                if (f != null && unlisting.remove(r.link().name(), f)) f.complete(true);
            }
        }, true);
    }

    /** A reaper for links in {@code ns} with up to {@code threads} teardowns in flight at once. */
    public static LinkReaper open(NetNs ns, int threads) throws IOException {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        return new LinkReaper(ns, threads, true);
    }

    /** Without the event subscription: every delete waits for its request's answer (the path taken when events are lost). */
    static LinkReaper openWithoutEvents(NetNs ns, int threads) throws IOException {
        return new LinkReaper(ns, threads, false);
    }

    public NetNs namespace() { return ns; }

    /**
     * {@code ip link del NAME}, returning once the link is unregistered; true if it existed. A deletion of the
     * same name already in flight is joined, not repeated.
     */
    public boolean delete(String name) throws IOException {
        Links.checkName(name);
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = unlisting.putIfAbsent(name, mine);
        if (running != null) return await(running, name);
        try {
            workers.execute(() -> teardown(name, mine));
        } catch (RuntimeException e) { // closed
            unlisting.remove(name, mine);
            throw new IOException("link del " + name + ": reaper closed", e);
        }
        return await(mine, name);
    }

    private void teardown(String name, CompletableFuture<Boolean> f) {
        Rtnetlink h = handles.poll();
        try {
            if (h == null) h = Rtnetlink.open(ns);
            boolean existed = h.links().deleteIfPresent(name);
            f.complete(existed);
        } catch (IOException | RuntimeException e) {
            f.completeExceptionally(e);
        } finally {
            unlisting.remove(name, f);
            if (h != null) handles.add(h);
        }
    }

    private static boolean await(CompletableFuture<Boolean> f, String name) throws IOException {
        try {
            return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("link del " + name + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("link del " + name + ": the kernel did not unregister it within " + TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("link del " + name + ": interrupted", e);
        }
    }

    /** Lets the teardowns in flight finish (up to 10 s), then closes the sockets and the event subscription. */
    @Override
    public void close() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) LOG.log(System.Logger.Level.WARNING, "link teardowns still running at close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (events != null) events.close();
        for (Rtnetlink h; (h = handles.poll()) != null; ) h.close();
    }
}
