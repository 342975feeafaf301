package io.podnet.bgp.rib;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.bgp.message.UpdateMessage;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The routing state of one speaker: an {@link AdjRibIn} and {@link AdjRibOut} per peer, the local routes and
 * the {@link LocRib}. Pure and single-threaded (the speaker's RIB thread owns it).
 * <pre>
 *  UPDATE ─► receive(): checks (loops, RFC 4456 §8, RFC 7606) + import filter ─► AdjRibIn ─┐
 *  addLocal()/removeLocal() ─► local routes ────────────────────────────────────────────────┤ dirty prefixes
 *                                                                                         ▼
 *                        decide(): DecisionProcess per prefix ─► LocRib ─► List&lt;BestPathChange&gt;
 *                                                                                         ▼
 *                        export(): ExportRules + export filter per established peer ─► AdjRibOut ─► OutRoute
 * </pre>
 */
public final class Rib {
    /** One route to send to a peer: {@code attrs == null} is a withdrawal. */
    public record OutRoute(IpPrefix prefix, Attrs attrs) {}

    private final long localAs;
    private final IpAddress routerId;
    private final IpAddress clusterId;
    private final RouteSource localSource;
    private final DecisionProcess decision;
    private final ExportRules exportRules;
    private final Interner<Attrs> interner = new Interner<>();
    private final Map<IpAddress, PeerPolicy> peers = new LinkedHashMap<>();
    private final Map<IpAddress, AdjRibIn> ribIn = new LinkedHashMap<>();
    private AdjRibIn[] ribIns = new AdjRibIn[0]; // ribIn's values, for the per-prefix loop of decide()
    private final Map<IpAddress, AdjRibOut> ribOut = new HashMap<>();
    private final Set<IpAddress> established = new LinkedHashSet<>();
    private final Map<IpPrefix, Attrs> local = new HashMap<>();
    private final LocRib locRib = new LocRib();

    /** {@code clusterId} non-null makes this speaker a route reflector (RFC 4456). */
    public Rib(long localAs, IpAddress routerId, IpAddress clusterId, long defaultLocalPref) {
        this.localAs = localAs;
        this.routerId = routerId;
        this.clusterId = clusterId;
        this.localSource = RouteSource.local(localAs, routerId);
        this.decision = new DecisionProcess(defaultLocalPref);
        this.exportRules = new ExportRules(localAs, routerId, clusterId, defaultLocalPref);
    }

    public LocRib locRib() { return locRib; }

    public Optional<AdjRibIn> adjRibIn(IpAddress peer) { return Optional.ofNullable(ribIn.get(peer)); }

    public Optional<AdjRibOut> adjRibOut(IpAddress peer) { return Optional.ofNullable(ribOut.get(peer)); }

    public void addPeer(PeerPolicy p) {
        IpAddress a = p.source().peerAddress();
        peers.put(a, p);
        ribIn.computeIfAbsent(a, _ -> new AdjRibIn(p.source()));
        ribIns = ribIn.values().toArray(AdjRibIn[]::new);
        ribOut.computeIfAbsent(a, _ -> new AdjRibOut(prefix -> advertised(a, prefix)));
    }

    /** Forgets a peer and its routes; returns the prefixes whose best path must be recomputed. */
    public Collection<IpPrefix> removePeer(IpAddress peer) {
        established.remove(peer);
        peers.remove(peer);
        forgetExports(peer);
        ribOut.remove(peer);
        AdjRibIn in = ribIn.remove(peer);
        ribIns = ribIn.values().toArray(AdjRibIn[]::new);
        return in == null ? List.of() : in.clear();
    }

    /** Updates the session's local next hops once the connection's local address is known. */
    public void updatePeerPolicy(PeerPolicy p) {
        peers.put(p.source().peerAddress(), p);
        forgetExports(p.source().peerAddress());
        AdjRibIn in = ribIn.get(p.source().peerAddress());
        if (in != null) in.source(p.source());
    }

    /**
     * A live policy change for a peer (filters, next-hop self, next hops). Routes the new import filter
     * rejects leave the Adj-RIB-In (returned as dirty prefixes; routes it now accepts need a ROUTE-REFRESH from
     * the peer, as no pre-policy copy is kept). An established peer is sent, in chunks, the difference between
     * the old and the new policy's export of every best route.
     */
    public Collection<IpPrefix> changePeerPolicy(PeerPolicy next, int chunk, java.util.function.Consumer<List<OutRoute>> sink) {
        IpAddress a = next.source().peerAddress();
        PeerPolicy old = peers.get(a);
        List<IpPrefix> dirty = new ArrayList<>();
        AdjRibIn in = ribIn.get(a);
        if (old != null && in != null && old.filters().importFilter() != next.filters().importFilter() && !next.filters().importsAll()) {
            for (IpPrefix p : in.prefixes()) {
                if (!next.filters().importFilter().test(new Route(p, in.source(), in.get(p))) && in.remove(p)) dirty.add(p);
            }
        }
        AdjRibOut out = ribOut.get(a);
        if (old == null || out == null || !established.contains(a)) {
            updatePeerPolicy(next);
            return dirty;
        }
        Map<RouteSource, Map<Attrs, Attrs[]>> memoOld = new HashMap<>(), memoNew = new HashMap<>();
        Batch batch = new Batch(chunk, sink);
        locRib.forEach(r -> {
            Attrs before = exportWith(old, r, memoOld);
            Attrs after = exportWith(next, r, memoNew);
            if (java.util.Objects.equals(before, after)) return;
            out.count(before, after);
            batch.add(new OutRoute(r.prefix(), after));
        });
        batch.flush();
        updatePeerPolicy(next);
        return dirty;
    }

    /** The export of {@code r} under policy {@code p}, the rules memoised in {@code memo} (filters run per route). */
    private Attrs exportWith(PeerPolicy p, Route r, Map<RouteSource, Map<Attrs, Attrs[]>> memo) {
        Attrs[] slot = memo.computeIfAbsent(r.source(), _ -> new HashMap<>()).computeIfAbsent(r.attrs(), _ -> new Attrs[2]);
        int fam = r.prefix().address().isV4() ? 0 : 1;
        if (slot[fam] == null) {
            Attrs computed = exportRules.compute(r, p);
            slot[fam] = computed == null ? NOT_EXPORTED : computed;
        }
        Attrs a = slot[fam] == NOT_EXPORTED ? null : slot[fam];
        if (a != null && !p.filters().exportsAll() && !p.filters().exportFilter().test(new Route(r.prefix(), r.source(), a))) return null;
        return a;
    }

    // ------------------------------------------------------------------ input

    /** Applies one UPDATE from an established peer (RFC 4271 §9, phase 1 checks); returns dirty prefixes. */
    public List<IpPrefix> receive(IpAddress peer, UpdateMessage u, boolean fourOctetSession) {
        PeerPolicy p = peers.get(peer);
        AdjRibIn in = ribIn.get(peer);
        if (p == null || in == null) return List.of();
        List<IpPrefix> dirty = new ArrayList<>(u.withdrawn().size() + u.nlri().size());
        for (IpPrefix w : u.withdrawn()) if (in.remove(w)) dirty.add(w);
        List<PathAttribute> attrs = AsPaths.fromPeer(u.attributes(), fourOctetSession);
        boolean eligible = eligible(p.source(), attrs);
        IpAddress nh4 = null;
        for (PathAttribute a : attrs) {
            switch (a) {
                case NextHop n -> nh4 = n.address();
                case MpUnreach m -> { for (IpPrefix w : m.withdrawn()) if (in.remove(w)) dirty.add(w); }
                default -> { }
            }
        }
        List<PathAttribute> kept = p.source().isEbgp() ? withoutLocalPref(attrs) : attrs;
        if (!u.nlri().isEmpty()) install(in, p, u.nlri(), nh4, kept, eligible, dirty);
        for (PathAttribute a : attrs) {
            if (a instanceof MpReach r) install(in, p, r.nlri(), r.nextHops().getFirst(), kept, eligible, dirty);
        }
        return dirty;
    }

    private void install(AdjRibIn in, PeerPolicy p, List<IpPrefix> nlri, IpAddress nh, List<PathAttribute> attrs,
                         boolean eligible, List<IpPrefix> dirty) {
        if (nh == null) return;
        Attrs shared = interner.intern(new Attrs(nh, attrs));
        for (IpPrefix prefix : nlri) {
            boolean ok = eligible && (p.filters().importsAll() || p.filters().importFilter().test(new Route(prefix, p.source(), shared)));
            if (ok ? in.put(prefix, shared) : in.remove(prefix)) dirty.add(prefix);
        }
    }

    /**
     * Route loop checks: our AS in an eBGP path (RFC 4271 §9.1.2), our router id as ORIGINATOR_ID or our
     * cluster id in CLUSTER_LIST (RFC 4456 §8). Ineligible routes are treated as withdrawn.
     */
    private boolean eligible(RouteSource src, List<PathAttribute> attrs) {
        for (PathAttribute a : attrs) {
            switch (a) {
                case AsPath x -> { if (src.isEbgp() && x.contains(localAs)) return false; }
                case OriginatorId x -> { if (x.id().equals(routerId)) return false; }
                case ClusterList x -> { if (clusterId != null && x.ids().contains(clusterId)) return false; }
                default -> { }
            }
        }
        return true;
    }

    /** RFC 7606 §7.5: LOCAL_PREF from an external peer is discarded. */
    private static List<PathAttribute> withoutLocalPref(List<PathAttribute> attrs) {
        for (PathAttribute a : attrs) {
            if (a instanceof LocalPref) return attrs.stream().filter(x -> !(x instanceof LocalPref)).toList();
        }
        return attrs;
    }

    /**
     * Originates a route; an unspecified next hop (0.0.0.0 or ::) means "this speaker". A given AS_PATH may
     * hold AS_SEQUENCE segments only (RFC 9774 §3: no AS_SET; no confederation) without AS 0 (RFC 7607 §2).
     */
    public List<IpPrefix> addLocal(IpPrefix prefix, IpAddress nextHop, List<PathAttribute> attributes) {
        for (PathAttribute a : attributes) {
            if (a instanceof AsPath p && p.segments().stream().anyMatch(s -> s.type() != io.podnet.bgp.message.AsPathSegment.Type.AS_SEQUENCE || s.asns().contains(0L))) {
                throw new IllegalArgumentException("AS_PATH of a local route: AS_SEQUENCE segments without AS 0 only (RFC 9774 §3, RFC 7607 §2): " + p);
            }
        }
        List<PathAttribute> attrs = new ArrayList<>();
        if (attributes.stream().noneMatch(a -> a instanceof Origin)) attrs.add(Origin.IGP);
        if (attributes.stream().noneMatch(a -> a instanceof AsPath)) attrs.add(AsPath.EMPTY);
        attrs.addAll(attributes);
        Attrs a = interner.intern(new Attrs(nextHop, attrs));
        Attrs old = local.put(prefix, a);
        return a.equals(old) ? List.of() : List.of(prefix);
    }

    public List<IpPrefix> removeLocal(IpPrefix prefix) {
        return local.remove(prefix) == null ? List.of() : List.of(prefix);
    }

    // ------------------------------------------------------------------ sessions

    /** Marks a peer established; its initial advertisement is {@link #fullTable}. */
    public void sessionUp(IpAddress peer) { established.add(peer); }

    /**
     * A session went down. With graceful restart its routes stay, marked stale (RFC 4724 §4.2); otherwise
     * they are removed. Returns dirty prefixes.
     */
    public Collection<IpPrefix> sessionDown(IpAddress peer, boolean keepStale) {
        established.remove(peer);
        AdjRibOut out = ribOut.get(peer);
        if (out != null) out.reset(0);
        AdjRibIn in = ribIn.get(peer);
        if (in == null) return List.of();
        if (keepStale) {
            in.markAllStale();
            return List.of();
        }
        return in.clear();
    }

    /** RFC 7313 §4 BoRR: the peer's routes of one family become stale until refreshed or swept. */
    public void markStale(IpAddress peer, AfiSafi family) {
        AdjRibIn in = ribIn.get(peer);
        if (in != null) in.markStale(ipFamily(family));
    }

    /** RFC 4760 §7 AFI/SAFI disable: drops every route of one family from the peer; returns dirty prefixes. */
    public Collection<IpPrefix> dropFamily(IpAddress peer, AfiSafi family) {
        AdjRibIn in = ribIn.get(peer);
        return in == null ? List.of() : in.removeFamily(ipFamily(family));
    }

    private static IpFamily ipFamily(AfiSafi f) { return f.afi() == AfiSafi.AFI_IPV4 ? IpFamily.V4 : IpFamily.V6; }

    /**
     * Bytes the largest imminent growth of the big tables (Loc-RIB, each Adj-RIB-In) would allocate, counting
     * growths within {@code within} insertions: the memory guard's measure of what the next batch may need.
     * The largest, not the sum: tables grow one at a time, and a grown table's old arrays are garbage at once.
     */
    public long pendingGrowthBytes(int within) {
        long n = locRib.growthBytes(within);
        for (AdjRibIn in : ribIns) n = Math.max(n, in.growthBytes(within));
        return n;
    }

    /** Routes held: every Adj-RIB-In and the Loc-RIB (the memory guard's measure of the tables). */
    public long storedRoutes() {
        long n = locRib.size();
        for (AdjRibIn in : ribIns) n += in.size();
        return n;
    }

    /** The peer with the largest Adj-RIB-In, if any holds routes. */
    public Optional<IpAddress> largestAdjRibIn() {
        AdjRibIn max = null;
        for (AdjRibIn in : ribIns) if (in.size() > 0 && (max == null || in.size() > max.size())) max = in;
        return max == null ? Optional.empty() : Optional.of(max.source().peerAddress());
    }

    /** End-of-RIB or restart-timer expiry: drops the peer's remaining stale routes of one family. */
    public Collection<IpPrefix> sweepStale(IpAddress peer, AfiSafi family) {
        AdjRibIn in = ribIn.get(peer);
        if (in == null) return List.of();
        return in.sweepStale(ipFamily(family));
    }

    // ------------------------------------------------------------------ decision + export

    /** Runs the decision process for the dirty prefixes; returns the Loc-RIB changes. */
    public List<BestPathChange> decide(Collection<IpPrefix> dirty) {
        List<BestPathChange> changes = new ArrayList<>(dirty.size());
        List<Route> candidates = new ArrayList<>();
        for (IpPrefix p : dirty) {
            candidates.clear();
            Attrs l = local.get(p);
            if (l != null) candidates.add(new Route(p, localSource, l));
            for (AdjRibIn in : ribIns) {
                Attrs a = in.get(p);
                if (a != null) candidates.add(new Route(p, in.source(), a));
            }
            Route best = switch (candidates.size()) {
                case 0 -> null;
                case 1 -> candidates.getFirst();
                default -> decision.select(candidates).best();
            };
            Route previous = locRib.route(p);
            if (locRib.set(p, best)) changes.add(new BestPathChange(p, Optional.ofNullable(best), Optional.ofNullable(previous)));
        }
        return changes;
    }

    /**
     * What each established peer must be sent for these Loc-RIB changes: the export of the new best route
     * where it differs from the export of the previous one (which is what the peer was sent, see
     * {@link AdjRibOut}); a withdrawal only where the peer had the prefix.
     */
    public Map<IpAddress, List<OutRoute>> export(List<BestPathChange> changes) {
        Map<IpAddress, List<OutRoute>> out = new LinkedHashMap<>();
        for (IpAddress peer : established) {
            PeerPolicy p = peers.get(peer);
            AdjRibOut ribOutOfPeer = ribOut.get(peer);
            if (p == null || ribOutOfPeer == null) continue;
            List<OutRoute> routes = null;
            for (BestPathChange c : changes) {
                Attrs before = exported(peer, p, c.previous().orElse(null));
                Attrs after = exported(peer, p, c.best().orElse(null));
                if (java.util.Objects.equals(before, after)) continue;
                ribOutOfPeer.count(before, after);
                if (routes == null) routes = new ArrayList<>(changes.size());
                routes.add(new OutRoute(c.prefix(), after));
            }
            if (routes != null) out.put(peer, routes);
        }
        return out;
    }

    /**
     * The initial advertisement to a peer that just reached Established (RFC 4271 §9.1.3), or a re-send
     * for a ROUTE-REFRESH of one family ({@code family} non-null), streamed from the Loc-RIB in chunks of at
     * most {@code chunk} routes so a full table is never materialised.
     */
    public void fullTable(IpAddress peer, IpFamily family, int chunk, java.util.function.Consumer<List<OutRoute>> sink) {
        PeerPolicy p = peers.get(peer);
        AdjRibOut ribOutOfPeer = ribOut.get(peer);
        if (p == null || ribOutOfPeer == null) return;
        Batch batch = new Batch(chunk, sink);
        locRib.forEach(r -> {
            Attrs a = exported(peer, p, r);
            if (a == null) return;
            batch.exported++;
            if (family == null || r.prefix().family() == family) batch.add(new OutRoute(r.prefix(), a));
        });
        batch.flush();
        ribOutOfPeer.reset(batch.exported);
    }

    /** Collects routes and hands them on in chunks. */
    private static final class Batch {
        private final int chunk;
        private final java.util.function.Consumer<List<OutRoute>> sink;
        private List<OutRoute> routes = new ArrayList<>();
        int exported;

        Batch(int chunk, java.util.function.Consumer<List<OutRoute>> sink) {
            this.chunk = chunk;
            this.sink = sink;
        }

        void add(OutRoute r) {
            routes.add(r);
            if (routes.size() >= chunk) flush();
        }

        void flush() {
            if (routes.isEmpty()) return;
            sink.accept(routes);
            routes = new ArrayList<>();
        }
    }

    /** What an established peer was sent for {@code prefix} (recomputed from the Loc-RIB), or null. */
    private Attrs advertised(IpAddress peer, IpPrefix prefix) {
        PeerPolicy p = peers.get(peer);
        if (p == null || !established.contains(peer)) return null;
        return exported(peer, p, locRib.route(prefix));
    }

    /** The attributes {@code peer} is sent for route {@code r} (null: not exported). */
    private Attrs exported(IpAddress peer, PeerPolicy p, Route r) {
        if (r == null) return null;
        Attrs a = exportAttrs(peer, p, r);
        if (a != null && !p.filters().exportsAll() && !p.filters().exportFilter().test(new Route(r.prefix(), r.source(), a))) return null;
        return a;
    }

    /** Per target peer and route source: input Attrs (interned, weakly held) → exported Attrs for [IPv4, IPv6]. */
    private final Map<IpAddress, Map<RouteSource, java.util.WeakHashMap<Attrs, Attrs[]>>> exportCache = new HashMap<>();
    private static final Attrs NOT_EXPORTED = new Attrs(IpAddress.v4(0), List.of());

    /**
     * Export attributes, memoised per (peer, source, input attrs, family): the rules depend on nothing else,
     * so a full table with few distinct paths computes them a few times and shares one output object per
     * path (which also lets UPDATE packing group prefixes by identity).
     */
    private Attrs exportAttrs(IpAddress peer, PeerPolicy p, Route best) {
        int fam = best.prefix().address().isV4() ? 0 : 1;
        Attrs[] memo;
        if (peer == lastPeer && best.source() == lastSource && best.attrs() == lastAttrs) {
            memo = lastMemo; // the common case of a full table: same peer, source and path as the route before
        } else {
            Map<Attrs, Attrs[]> cache = exportCache.computeIfAbsent(peer, _ -> new HashMap<>())
                    .computeIfAbsent(best.source(), _ -> new java.util.WeakHashMap<>());
            memo = cache.computeIfAbsent(best.attrs(), _ -> new Attrs[2]);
            lastPeer = peer;
            lastSource = best.source();
            lastAttrs = best.attrs();
            lastMemo = memo;
        }
        if (memo[fam] == null) {
            Attrs computed = exportRules.compute(best, p);
            memo[fam] = computed == null ? NOT_EXPORTED : computed;
        }
        return memo[fam] == NOT_EXPORTED ? null : memo[fam];
    }

    /** Forgets memoised export attributes for a peer whose policy (next hops, flags) changed. */
    private void forgetExports(IpAddress peer) {
        exportCache.remove(peer);
        lastPeer = null;
        lastSource = null;
        lastAttrs = null;
        lastMemo = null;
    }

    private IpAddress lastPeer;
    private RouteSource lastSource;
    private Attrs lastAttrs;
    private Attrs[] lastMemo;

    public boolean isEstablished(IpAddress peer) { return established.contains(peer); }

    public IpAddress routerId() { return routerId; }

    public long localAs() { return localAs; }
}
