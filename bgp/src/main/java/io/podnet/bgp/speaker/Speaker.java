package io.podnet.bgp.speaker;

import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.rib.BestPathChange;
import io.podnet.bgp.rib.PrefixMap;
import io.podnet.bgp.rib.Rib;
import io.podnet.bgp.rib.Route;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A BGP speaker: peers, the RIBs and the best-path stream. One platform thread ("bgp-rib") owns all
 * routing and session state; API calls are submitted to it and answer with a {@link CompletableFuture}
 * (gobgp's mgmtOperation). Peer sockets are read and written by their own threads, which post decoded
 * messages to the RIB thread.
 * <pre>
 *  API ──submit──►┐                                 ┌──► listeners (List&lt;BestPathChange&gt;)
 *  reader threads ├─► queue ─► bgp-rib thread: FSMs, Rib.receive ─► flush(): decide ─► export ─► writers
 *  timer thread ──┘
 * </pre>
 * Batching: after each batch of queued tasks (up to 256, or until 8192 prefixes are dirty) the loop runs
 * the decision process once for every prefix touched, so a full table arriving in many UPDATEs is decided and re-advertised in large groups.
 * Between batches the loop asks the {@link MemoryGuard} whether the heap can take the tables' next growth;
 * if not, the peer with the largest Adj-RIB-In is stopped with Cease "Out of Resources" (RFC 4486 §4) instead
 * of the process running out of memory.
 */
public final class Speaker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Speaker.class.getName());

    private static final int FLUSH_PREFIXES = 8192;
    /** Insertions one batch can make before the next memory check: the dirty limit plus one extended UPDATE. */
    private static final int GROWTH_WINDOW = 32_768;

    private final SpeakerConfig config;
    private final Transport transport;
    private final InstantSource clock;
    private final Scheduler timers;
    private final MemoryGuard memory;
    private boolean memoryReleasePending;
    private final Rib rib;
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final List<CompletableFuture<Void>> settling = new ArrayList<>();
    private final Thread loop;
    private final Map<IpAddress, PeerSession> peers = new LinkedHashMap<>();
    /** Prefixes whose best path must be recomputed: a compact set, since a session loss dirties a whole table. */
    private final PrefixMap<IpPrefix> dirty = new PrefixMap<>(); // put(p, p): polling reuses the objects
    /**
     * Large dirty collections (a dropped Adj-RIB-In, a sweep of stale routes), drained in chunks as they are
     * instead of being copied into {@link #dirty}: no second copy of a whole table while it goes away. A
     * prefix in both is decided twice, which changes nothing the second time.
     */
    private final java.util.ArrayDeque<java.util.Iterator<IpPrefix>> bulkDirty = new java.util.ArrayDeque<>();
    private final List<Consumer<List<BestPathChange>>> listeners = new CopyOnWriteArrayList<>();
    private final List<PeerConfig> pending = new ArrayList<>();
    private volatile boolean running;
    private volatile boolean started;
    private Transport.Listener listener;

    /** A speaker on real time with a timer thread of its own and no memory guard. */
    public Speaker(SpeakerConfig config, Transport transport, InstantSource clock) {
        this(config, new SpeakerContext(transport, clock, Scheduler.system(), MemoryGuard.none()));
    }

    public Speaker(SpeakerConfig config, SpeakerContext context) {
        this.config = config;
        this.transport = context.transport();
        this.clock = context.clock();
        this.timers = context.scheduler();
        this.memory = context.memory();
        this.rib = new Rib(config.asn(), config.routerId(), config.clusterId().orElse(null), config.defaultLocalPref());
        this.loop = Thread.ofPlatform().name("bgp-rib").unstarted(this::runLoop);
    }

    public SpeakerConfig config() { return config; }

    Transport transport() { return transport; }

    InstantSource clock() { return clock; }

    Rib rib() { return rib; }

    /** Opens the listener (TCP-MD5 capable if any peer added so far has a password) and starts all peers. */
    public synchronized void start() throws IOException {
        if (started) return;
        started = true;
        running = true;
        loop.start();
        if (config.listen().isPresent()) {
            boolean md5 = pending.stream().anyMatch(p -> p.password().isPresent());
            openListener(config.listen().get(), md5);
        }
        for (PeerConfig p : pending) addPeer(p);
        pending.clear();
    }

    private void openListener(InetSocketAddress at, boolean md5) throws IOException {
        Transport.Listener l = transport.listen(at, md5);
        listener = l;
        Thread.Builder b = md5 ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        b.name("bgp-accept").start(() -> {
            while (running) {
                try {
                    Transport.Channel ch = l.accept();
                    post(() -> incoming(ch));
                } catch (IOException e) {
                    if (running && listener == l) LOG.log(Level.WARNING, "accept failed: {0}", e.getMessage());
                    return;
                }
            }
        });
    }

    /** The listening address (useful with port 0). */
    public Optional<InetSocketAddress> listenAddress() {
        Transport.Listener l = listener;
        return l == null ? Optional.empty() : Optional.of(l.localAddress());
    }

    private void incoming(Transport.Channel ch) {
        IpAddress remote = IpAddress.of(ch.remoteAddress().getAddress());
        if (remote.isV6() && remote.hi() == 0 && (remote.lo() >>> 32) == 0xffff) remote = IpAddress.v4((int) remote.lo());
        PeerSession p = peers.get(remote);
        if (p == null) {
            LOG.log(Level.INFO, "rejecting connection from unconfigured {0}", remote);
            PeerSession.closeQuietly(ch);
            return;
        }
        p.incoming(ch);
    }

    // ------------------------------------------------------------------ loop plumbing

    void post(Runnable r) { queue.add(r); }

    Scheduler.Cancellable schedule(Duration d, Runnable r) {
        return timers.schedule(d, () -> post(r));
    }

    void markDirty(Collection<IpPrefix> prefixes) {
        if (prefixes.size() > FLUSH_PREFIXES) {
            bulkDirty.add(prefixes.iterator());
            return;
        }
        for (IpPrefix p : prefixes) dirty.put(p, p);
    }

    private <T> CompletableFuture<T> call(Supplier<T> s) {
        CompletableFuture<T> f = new CompletableFuture<>();
        post(() -> {
            try {
                f.complete(s.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private void runLoop() {
        while (running || !queue.isEmpty()) {
            try {
                Runnable t = bulkDirty.isEmpty() ? queue.poll(1, TimeUnit.SECONDS) : queue.poll();
                if (t == null) {
                    flush(); // continue draining a large dirty collection
                    continue;
                }
                runSafely(t);
                // Batch until the queue is empty or enough prefixes are dirty: large enough to pack UPDATEs
                // well, small enough to keep the in-flight garbage (and GC pauses) small.
                for (int n = 0; n < 256 && dirty.size() < FLUSH_PREFIXES && bulkDirty.isEmpty() && (t = queue.poll()) != null; n++) runSafely(t);
                flush();
                if (bulkDirty.isEmpty()) {
                    guardMemory();
                    completeSettled();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "RIB loop error", e);
            }
        }
    }

    /**
     * The memory-bounded reaction: when the heap cannot take the next growth of the tables, stop the peer
     * with the largest Adj-RIB-In (its table is then dropped in chunks; the guard measures again only after).
     */
    private void guardMemory() {
        if (memoryReleasePending) {
            memoryReleasePending = false;
            memory.released();
            return;
        }
        if (!memory.exhausted(rib.pendingGrowthBytes(GROWTH_WINDOW), rib.storedRoutes())) return;
        rib.largestAdjRibIn().map(peers::get).ifPresent(p -> {
            long n = rib.adjRibIn(p.address()).map(io.podnet.bgp.rib.AdjRibIn::size).orElse(0);
            p.routing.memoryExhausted(n);
            memoryReleasePending = true;
        });
    }

    /** Completes {@link #settle()} calls once what they waited for has been written. */
    private void completeSettled() {
        if (settling.isEmpty()) return;
        List<CompletableFuture<Void>> writers = new ArrayList<>(peers.size());
        for (PeerSession p : peers.values()) writers.add(p.flushed());
        CompletableFuture<Void> all = CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));
        for (CompletableFuture<Void> f : settling) all.whenComplete((v, e) -> f.complete(null));
        settling.clear();
    }

    private static void runSafely(Runnable t) {
        try {
            t.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "RIB task failed", e);
        }
    }

    /**
     * Decision process for every dirty prefix, then listeners, then per-peer UPDATEs; in chunks of at most
     * FLUSH_PREFIXES prefixes, so a whole table going away never materialises as one list of changes.
     */
    private void flush() {
        while (!dirty.isEmpty()) flush(dirty.pollValues(FLUSH_PREFIXES));
        // One chunk of a large collection per round while other work waits (keepalives, API calls).
        while (!bulkDirty.isEmpty()) {
            java.util.Iterator<IpPrefix> it = bulkDirty.peek();
            List<IpPrefix> chunk = new ArrayList<>(FLUSH_PREFIXES);
            while (chunk.size() < FLUSH_PREFIXES && it.hasNext()) chunk.add(it.next());
            if (!it.hasNext()) bulkDirty.poll();
            flush(chunk);
            if (!queue.isEmpty()) break;
        }
    }

    private void flush(List<IpPrefix> prefixes) {
        List<BestPathChange> changes = rib.decide(prefixes);
        if (changes.isEmpty()) return;
        for (Consumer<List<BestPathChange>> l : listeners) {
            try {
                l.accept(changes);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "best-path listener failed", e);
            }
        }
        rib.export(changes).forEach((peer, routes) -> {
            PeerSession p = peers.get(peer);
            if (p != null) p.routing.sendRoutes(routes);
        });
    }

    // ------------------------------------------------------------------ API

    /** Called on the RIB thread with each batch of Loc-RIB changes; must not block. */
    public void addListener(Consumer<List<BestPathChange>> l) { listeners.add(l); }

    /** Originates {@code prefix} with this speaker as next hop. */
    public CompletableFuture<Void> addRoute(IpPrefix prefix) {
        return addRoute(prefix, prefix.family() == IpFamily.V4 ? IpAddress.v4(0) : IpAddress.parse("::"), List.of());
    }

    /** Originates {@code prefix} with extra attributes (e.g. COMMUNITIES); an unspecified next hop means self. */
    public CompletableFuture<Void> addRoute(IpPrefix prefix, IpAddress nextHop, List<PathAttribute> attributes) {
        return call(() -> { markDirty(rib.addLocal(prefix, nextHop, attributes)); return null; });
    }

    public CompletableFuture<Void> withdrawRoute(IpPrefix prefix) {
        return call(() -> { markDirty(rib.removeLocal(prefix)); return null; });
    }

    /** Adds a peer and starts its session (after {@link #start()}). */
    public CompletableFuture<Void> addPeer(PeerConfig cfg) {
        synchronized (this) {
            if (!started) {
                pending.add(cfg);
                return CompletableFuture.completedFuture(null);
            }
        }
        return call(() -> {
            if (peers.containsKey(cfg.address())) throw new IllegalArgumentException("peer exists: " + cfg.address());
            if (cfg.password().isPresent()) installMd5Key(cfg);
            PeerSession p = new PeerSession(this, cfg);
            peers.put(cfg.address(), p);
            rib.addPeer(p.policy(null, null));
            p.start();
            return null;
        });
    }

    private void installMd5Key(PeerConfig cfg) {
        Transport.Listener l = listener;
        if (l == null) return;
        try {
            if (!l.setMd5Key(cfg.address().toInetAddress(), cfg.password().get())) {
                InetSocketAddress at = l.localAddress();
                listener = null;
                l.close();
                openListener(at, true);
                for (PeerSession p : peers.values()) {
                    if (p.cfg.password().isPresent()) listener.setMd5Key(p.cfg.address().toInetAddress(), p.cfg.password().get());
                }
                listener.setMd5Key(cfg.address().toInetAddress(), cfg.password().get());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot install TCP-MD5 key for " + cfg.address() + ": " + e.getMessage(), e);
        }
    }

    /** Stops the session with Cease "Peer De-configured" (RFC 4486 §4) and forgets the peer and its routes. */
    public CompletableFuture<Void> removePeer(IpAddress address) {
        return call(() -> {
            PeerSession p = peers.remove(address);
            if (p != null) {
                p.deconfigure();
                markDirty(rib.removePeer(address));
            }
            return null;
        });
    }

    /**
     * Changes a peer's configuration live. What a running session can take (filters, next-hop self and next
     * hops, prefix limit) is applied to it: the peer is sent the difference in what it is exported, routes the
     * new import filter rejects are dropped, and a new import filter asks the peer for its routes again
     * (ROUTE-REFRESH). Anything else (AS, port, password, families, passive, multihop, route-reflector client,
     * local address) restarts the session with Cease "Other Configuration Change" (RFC 4486 §4).
     */
    public CompletableFuture<Void> updatePeer(PeerConfig cfg) {
        return call(() -> {
            PeerSession p = peers.get(cfg.address());
            if (p == null) throw new IllegalArgumentException("no such peer: " + cfg.address());
            if (cfg.password().isPresent() && !cfg.password().equals(p.cfg.password())) installMd5Key(cfg);
            p.reconfigure(cfg);
            return null;
        });
    }

    /**
     * Asks the peer to send its routes of {@code family} again (ROUTE-REFRESH, RFC 2918 §3): after an import
     * policy change, for instance. False if the session is not established or the peer cannot refresh.
     */
    public CompletableFuture<Boolean> requestRefresh(IpAddress address, io.podnet.bgp.message.AfiSafi family) {
        return call(() -> {
            PeerSession p = peers.get(address);
            return p != null && p.routing.requestRefresh(family);
        });
    }

    /**
     * Completes once every task queued before this call has run, the decision process has run for what they
     * changed, and every message that produced has been written to its connection (or the connection closed).
     * For tests and for callers that need their change on the wire.
     */
    public CompletableFuture<Void> settle() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        post(() -> settling.add(f));
        return f;
    }

    public CompletableFuture<Void> enablePeer(IpAddress address) {
        return call(() -> {
            PeerSession p = peers.get(address);
            if (p != null && !p.enabled) p.start();
            return null;
        });
    }

    /** Stops the session (Cease/Administrative Shutdown) but keeps the peer configured. */
    public CompletableFuture<Void> disablePeer(IpAddress address) {
        return call(() -> {
            PeerSession p = peers.get(address);
            if (p != null) p.stop();
            return null;
        });
    }

    public CompletableFuture<List<PeerStatus>> peers() {
        return call(() -> peers.values().stream().map(PeerSession::status).toList());
    }

    public CompletableFuture<Optional<PeerStatus>> peer(IpAddress address) {
        return call(() -> Optional.ofNullable(peers.get(address)).map(PeerSession::status));
    }

    public CompletableFuture<Integer> locRibSize() { return call(() -> rib.locRib().size()); }

    public CompletableFuture<Optional<Route>> bestPath(IpPrefix prefix) { return call(() -> rib.locRib().get(prefix)); }

    public CompletableFuture<List<Route>> locRib() { return call(() -> List.copyOf(rib.locRib().routes())); }

    /** Stops every session with a Cease NOTIFICATION, then the threads. */
    @Override
    public void close() {
        shutdown(true);
    }

    /** Drops every connection without a NOTIFICATION, as a crash would (peers may keep routes: RFC 4724). */
    public void abort() {
        shutdown(false);
    }

    private void shutdown(boolean graceful) {
        if (!started || !running) return;
        try {
            call(() -> {
                for (PeerSession p : peers.values()) {
                    if (graceful) p.stop();
                    else p.abort();
                }
                return null;
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "shutdown: {0}", e.toString());
        }
        running = false;
        Transport.Listener l = listener;
        listener = null;
        if (l != null) {
            try {
                l.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        post(() -> { });
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdown();
    }
}
