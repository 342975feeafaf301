package io.podnet.bgp.rib;

import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Loc-RIB (RFC 4271 §3.2): the best route per prefix chosen by the {@link DecisionProcess}. Stored as a
 * small (source, attrs) pair per prefix in a {@link PrefixMap}; {@link Route} objects are made on demand.
 */
public final class LocRib {
    private record Best(RouteSource source, Attrs attrs) {}

    private final PrefixMap<Best> best = new PrefixMap<>();

    public Optional<Route> get(IpPrefix p) {
        Best b = best.get(p);
        return b == null ? Optional.empty() : Optional.of(new Route(p, b.source(), b.attrs()));
    }

    /** Installs or removes ({@code r == null}) the best route; returns true if it changed. */
    boolean set(IpPrefix p, Route r) {
        if (r == null) return best.remove(p) != null;
        Best b = new Best(r.source(), r.attrs());
        Best old = best.get(p);
        if (b.equals(old)) return false;
        best.put(p, b);
        return true;
    }

    public int size() { return best.size(); }

    /** A snapshot of every best route (allocates one Route per prefix). */
    public List<Route> routes() {
        List<Route> out = new ArrayList<>(best.size());
        best.forEach((p, b) -> out.add(new Route(p, b.source(), b.attrs())));
        return out;
    }
}
