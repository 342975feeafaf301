package io.podnet.bgp.rib;

import io.podnet.net.IpPrefix;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Loc-RIB (RFC 4271 §3.2): the best route per prefix chosen by the {@link DecisionProcess}. */
public final class LocRib {
    private final Map<IpPrefix, Route> best = new HashMap<>();

    public Optional<Route> get(IpPrefix p) { return Optional.ofNullable(best.get(p)); }

    /** Installs or removes ({@code r == null}) the best route; returns true if it changed. */
    boolean set(IpPrefix p, Route r) {
        if (r == null) return best.remove(p) != null;
        Route old = best.put(p, r);
        return old == null || !old.equals(r);
    }

    public int size() { return best.size(); }

    public Collection<Route> routes() { return best.values(); }
}
