package io.podnet.bgp.rib;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Adj-RIB-In of one peer (RFC 4271 §3.2): the routes it advertised that passed the import checks and
 * filter (this speaker keeps no pre-policy copy; a policy change needs a ROUTE-REFRESH). Routes kept over a
 * graceful restart are marked stale (RFC 4724 §4.2) until refreshed, End-of-RIB arrives or the timer fires.
 */
public final class AdjRibIn {
    private RouteSource source;
    private final PrefixMap<Attrs> routes = new PrefixMap<>();
    private final Set<IpPrefix> stale = new HashSet<>();

    public AdjRibIn(RouteSource source) {
        this.source = source;
    }

    public RouteSource source() { return source; }

    /** The peer's identity changes when a new session learns its router id. */
    void source(RouteSource s) { this.source = s; }

    public Attrs get(IpPrefix p) { return routes.get(p); }

    /** Stores a route; returns true if it changed anything. Refreshing a stale route clears its mark. */
    public boolean put(IpPrefix p, Attrs a) {
        boolean wasStale = stale.remove(p);
        Attrs old = routes.put(p, a);
        return wasStale ? !a.equals(old) : old == null || !old.equals(a);
    }

    public boolean remove(IpPrefix p) {
        stale.remove(p);
        return routes.remove(p) != null;
    }

    public int size() { return routes.size(); }

    public List<IpPrefix> prefixes() { return routes.keys(); }

    public int staleCount() { return stale.size(); }

    /** RFC 4724 §4.2: the session went down and the peer can restart: keep its routes, marked stale. */
    public void markAllStale() { stale.addAll(routes.keys()); }

    /** Removes the stale routes of one family (End-of-RIB, or the restart timer); returns them. */
    public List<IpPrefix> sweepStale(IpFamily family) {
        List<IpPrefix> removed = new ArrayList<>();
        for (var it = stale.iterator(); it.hasNext(); ) {
            IpPrefix p = it.next();
            if (p.family() == family) {
                it.remove();
                routes.remove(p);
                removed.add(p);
            }
        }
        return removed;
    }

    /** Drops everything; returns the prefixes that were present. */
    public List<IpPrefix> clear() {
        List<IpPrefix> all = routes.keys();
        routes.clear();
        stale.clear();
        return all;
    }
}
