package io.podnet.bgp.rib;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.Collection;
import java.util.List;

/**
 * Adj-RIB-In of one peer (RFC 4271 §3.2): the routes it advertised that passed the import checks and
 * filter (this speaker keeps no pre-policy copy; a policy change needs a ROUTE-REFRESH). Routes kept over a
 * graceful restart are marked stale (RFC 4724 §4.2) until refreshed, End-of-RIB arrives or the timer fires.
 */
public final class AdjRibIn {
    private RouteSource source;
    private PrefixMap<Attrs> routes = new PrefixMap<>();
    private PrefixMap<Boolean> stale = new PrefixMap<>();

    public AdjRibIn(RouteSource source) {
        this.source = source;
    }

    public RouteSource source() { return source; }

    /** The peer's identity changes when a new session learns its router id. */
    void source(RouteSource s) { this.source = s; }

    public Attrs get(IpPrefix p) { return routes.get(p); }

    /** Stores a route; returns true if it changed anything. Refreshing a stale route clears its mark. */
    public boolean put(IpPrefix p, Attrs a) {
        boolean wasStale = !stale.isEmpty() && stale.remove(p) != null;
        Attrs old = routes.put(p, a);
        return wasStale ? !a.equals(old) : old == null || !old.equals(a);
    }

    public boolean remove(IpPrefix p) {
        if (!stale.isEmpty()) stale.remove(p);
        return routes.remove(p) != null;
    }

    public int size() { return routes.size(); }

    public List<IpPrefix> prefixes() { return routes.keys(); }

    public int staleCount() { return stale.size(); }

    /** RFC 4724 §4.2: the session went down and the peer can restart: keep its routes, marked stale. */
    public void markAllStale() { routes.forEach((p, a) -> stale.put(p, Boolean.TRUE)); }

    /** RFC 7313 §4: a BoRR arrived: the routes of this family are stale until re-advertised or its EoRR. */
    public void markStale(IpFamily family) {
        routes.forEach((p, a) -> {
            if (p.family() == family) stale.put(p, Boolean.TRUE);
        });
    }

    /** Removes every route of one family (AFI/SAFI disable, RFC 4760 §7); returns them (a view, no copy). */
    public Collection<IpPrefix> removeFamily(IpFamily family) {
        boolean[] other = new boolean[1];
        routes.forEach((p, a) -> other[0] |= p.family() != family);
        if (!other[0]) return clear();
        PrefixMap<Attrs> removed = new PrefixMap<>();
        PrefixMap<Attrs> kept = new PrefixMap<>();
        routes.forEach((p, a) -> (p.family() == family ? removed : kept).put(p, a));
        routes = kept;
        PrefixMap<Boolean> keptStale = new PrefixMap<>();
        stale.forEach((p, b) -> {
            if (p.family() != family) keptStale.put(p, b);
        });
        stale = keptStale;
        return removed.keyView();
    }

    /** What the next growth of this table would allocate, if it is near (see {@link PrefixMap#growthBytes}). */
    long growthBytes(int within) { return routes.growthBytes(within); }

    /** Removes the stale routes of one family (End-of-RIB, or the restart timer); returns them. */
    public Collection<IpPrefix> sweepStale(IpFamily family) {
        if (stale.isEmpty()) return List.of();
        PrefixMap<Boolean> removed = new PrefixMap<>();
        PrefixMap<Boolean> kept = new PrefixMap<>();
        stale.forEach((p, b) -> {
            if (p.family() == family) {
                routes.remove(p);
                removed.put(p, b);
            } else {
                kept.put(p, b);
            }
        });
        stale = kept;
        return removed.keyView();
    }

    /** Drops everything; returns the prefixes that were present (a view of the dropped table, no copy). */
    public Collection<IpPrefix> clear() {
        PrefixMap<Attrs> all = routes;
        routes = new PrefixMap<>();
        stale = new PrefixMap<>();
        return all.keyView();
    }
}
