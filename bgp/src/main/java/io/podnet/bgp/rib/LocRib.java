package io.podnet.bgp.rib;

import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Loc-RIB (RFC 4271 §3.2): the best route per prefix chosen by the {@link DecisionProcess}. Stored as an
 * interned (source, attrs) pair per prefix in a {@link PrefixMap}, so a prefix costs one table slot and the
 * pairs are shared by every prefix with the same best path; {@link Route} objects are made on demand.
 */
public final class LocRib {
    private record Best(RouteSource source, Attrs attrs) {}

    private final PrefixMap<Best> best = new PrefixMap<>();
    private final Interner<Best> shared = new Interner<>();
    private Best lastInterned; // a full table from one peer installs the same pair over and over

    public Optional<Route> get(IpPrefix p) { return Optional.ofNullable(route(p)); }

    /** The best route or null. */
    Route route(IpPrefix p) {
        Best b = best.get(p);
        return b == null ? null : new Route(p, b.source(), b.attrs());
    }

    /** Installs or removes ({@code r == null}) the best route; returns true if it changed. */
    boolean set(IpPrefix p, Route r) {
        if (r == null) return best.remove(p) != null;
        Best old = best.get(p);
        if (old != null && old.source() == r.source() && old.attrs() == r.attrs()) return false;
        Best b = lastInterned;
        if (b == null || b.source() != r.source() || b.attrs() != r.attrs()) {
            b = shared.intern(new Best(r.source(), r.attrs()));
            lastInterned = b;
        }
        if (b.equals(old)) return false;
        best.put(p, b);
        return true;
    }

    public int size() { return best.size(); }

    long growthBytes(int within) { return best.growthBytes(within); }

    /** Every best route, one at a time (nothing is materialised but the current {@link Route}). */
    public void forEach(Consumer<Route> f) { best.forEach((p, b) -> f.accept(new Route(p, b.source(), b.attrs()))); }

    /** A snapshot of every best route (allocates one Route per prefix). */
    public List<Route> routes() {
        List<Route> out = new ArrayList<>(best.size());
        forEach(out::add);
        return out;
    }
}
