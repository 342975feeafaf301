package io.podnet.dataplane;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.RouteScope;
import io.podnet.rtnetlink.RouteType;
import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The routes podnet owns in one routing table (after Calico's {@code felix/routetable}). One table object per
 * kernel table: its desired state is the union of every producer's routes (the overlay's remote subnets, routed
 * mode's {@code /32} host routes on {@code cali*} veths, BGP-learned routes, blackholes for local blocks), each
 * producer setting and replacing only its own ({@link #setRoute(String, Route)}, {@link #replaceRoutes}).
 * {@link #apply()} makes the kernel agree, touching only routes the table owns (see {@link RouteTableConfig}):
 * those carrying one of its protocols (98, PODNET, by default) and non-kernel routes on owned interface prefixes;
 * so no producer's resync deletes another's routes.
 * <pre>{@code
 * var routes = new RouteTable(kernel, clock, RouteTableConfig.main());
 * routes.setRoute(Route.via(IpPrefix.parse("10.244.2.0/24"), IpAddress.parse("10.244.2.0"), "flannel.1").withOnlink());
 * routes.setRoute(Route.to("10.244.9.0/26").type(RouteType.BLACKHOLE));
 * routes.apply();   // or let the Reconciler do it
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>The kernel fills in defaults and reports them back: scope link for device routes, metric 1024 and
 *     scope universe for every IPv6 route, IPv6 blackholes on {@code lo}. Desired and listed routes are both
 *     {@link #normalize normalized} before comparing, or every resync would "repair" a correct route.</li>
 * <li>The kernel's identity of a route is (table, dst, tos, metric), not its protocol: keys are
 *     (dst, metric), and one destination has at most one desired route. A {@code replace} overwrites another
 *     owner's route with the same key (desired state wins), but a resync never deletes a route we do not own.
 *     Changing a route's metric adds the new route and deletes the old one.</li>
 * <li>A route through a device that does not exist yet (a veth being created) fails with ENODEV; it stays
 *     pending and is retried with backoff, or at once when {@link #interfaceChanged} reports the device.
 *     When a device is deleted the kernel silently drops its routes; {@code interfaceChanged} (fed from the
 *     link monitor through {@link Reconciler#interfaceChanged}) re-programs that device's routes when it
 *     returns, without dumping the whole table.</li>
 * <li>A gateway must be reachable (ENETUNREACH otherwise) unless the route is {@code onlink} (flannel's vxlan
 *     routes are), and IPv4 onlink gateways must be unicast in the local table.</li>
 * <li>Out-of-band edits (someone runs {@code ip route del}) are only noticed on a resync: the periodic one,
 *     one queued after any failure, or an explicit {@link #queueResync()}.</li>
 * <li>Routes with protocol {@code kernel} are never owned, even on owned interfaces: the kernel manages them
 *     for addresses (e.g. {@code fe80::/64}).</li>
 * </ul>
 */
public final class RouteTable extends TrackedTable<RouteTable.Key, Route> {

    /** The kernel's identity of a route within one table. Metric 0 is IPv4's default; IPv6's is 1024. */
    public record Key(IpPrefix dst, int metric) {
        @Override
        public String toString() { return dst + (metric != 0 ? " metric " + metric : ""); }
    }

    private static final int IPV6_DEFAULT_METRIC = 1024;

    private final RouteTableConfig config;
    /** Per producer: its one desired route per destination (guarded by the table lock). */
    private final Map<String, Map<IpPrefix, Key>> byOwner = new HashMap<>();
    private final Map<String, Set<Key>> desiredByDev = new HashMap<>(); // effective desired routes per device; table lock

    public RouteTable(Kernel kernel, InstantSource clock, RouteTableConfig config) {
        super(kernel, clock, new DeltaTracker<>());
        this.config = config;
    }

    public RouteTableConfig config() { return config; }

    @Override
    public String name() { return "routes[table " + config.table() + "]"; }

    @Override
    public Stage stage() { return Stage.ROUTES; }

    /** {@link #setRoute(String, Route)} for the single-producer case. */
    public void setRoute(Route route) {
        setRoute(DEFAULT_OWNER, route);
    }

    /**
     * {@code owner} wants {@code route} for its destination, replacing any earlier route of this owner to the same
     * destination. The table stamps its table number, and its protocol unless the route carries another protocol
     * the table owns (BGP-learned routes may keep theirs).
     */
    public void setRoute(String owner, Route route) {
        Route r = stamp(route);
        Key key = keyOf(r);
        update(t -> {
            Map<IpPrefix, Key> mine = byOwner.computeIfAbsent(owner, o -> new HashMap<>());
            Key old = mine.put(r.dst(), key);
            if (old != null && !old.equals(key)) undesireLocked(t, owner, old);
            desireLocked(t, owner, key, r);
        });
    }

    /** No longer wants a route to {@code dst} (single-producer form). */
    public void removeRoute(IpPrefix dst) {
        removeRoute(DEFAULT_OWNER, dst);
    }

    /** {@code owner} no longer wants a route to {@code dst}; the next apply deletes it unless another producer wants it. */
    public void removeRoute(String owner, IpPrefix dst) {
        update(t -> {
            Map<IpPrefix, Key> mine = byOwner.getOrDefault(owner, Map.of());
            Key old = mine.isEmpty() ? null : mine.remove(dst);
            if (old != null) undesireLocked(t, owner, old);
        });
    }

    /** Replaces every route {@code owner} wants by {@code routes} (one per destination), in one step. */
    public void replaceRoutes(String owner, java.util.Collection<Route> routes) {
        Map<IpPrefix, Route> want = new HashMap<>();
        for (Route r : routes) want.put(r.dst(), stamp(r));
        update(t -> {
            Map<IpPrefix, Key> mine = byOwner.computeIfAbsent(owner, o -> new HashMap<>());
            for (var e : List.copyOf(mine.entrySet())) {
                Route w = want.get(e.getKey());
                if (w == null || !keyOf(w).equals(e.getValue())) {
                    undesireLocked(t, owner, e.getValue());
                    mine.remove(e.getKey());
                }
            }
            want.forEach((dst, r) -> {
                mine.put(dst, keyOf(r));
                desireLocked(t, owner, keyOf(r), r);
            });
        });
    }

    private Route stamp(Route route) {
        Route r = route.table(config.table());
        if (r.protocol().equals(RouteProtocol.BOOT) || r.protocol().equals(RouteProtocol.UNSPEC)) r = r.protocol(config.protocol());
        else if (!config.ownsProtocol(r.protocol())) {
            throw new IllegalArgumentException(name() + " does not own protocol " + r.protocol().value() + " (route " + r.dst() + ")");
        }
        return normalize(r);
    }

    @Override
    protected void effectiveChanged(Key key, Optional<Route> before, Optional<Route> after) {
        before.flatMap(Route::dev).ifPresent(d -> {
            Set<Key> keys = desiredByDev.get(d);
            if (keys != null && keys.remove(key) && keys.isEmpty()) desiredByDev.remove(d);
        });
        after.flatMap(Route::dev).ifPresent(d -> desiredByDev.computeIfAbsent(d, x -> new HashSet<>()).add(key));
    }

    /** The desired route to {@code dst}, normalized, if any (the first producer's when several want one). */
    public Optional<Route> desiredRoute(IpPrefix dst) {
        return withTracker(t -> t.desiredView().values().stream().filter(r -> r.dst().equals(dst)).findFirst());
    }

    /** Every desired route (normalized). */
    public List<Route> desiredRoutes() {
        return withTracker(t -> List.copyOf(t.desiredView().values()));
    }

    /**
     * A link event for {@code dev} (appeared, changed or was deleted): routes we believe programmed through it
     * are re-programmed (the kernel drops a device's routes with it; replace is idempotent), and any backoff
     * is cleared so routes waiting for the device go in at once. No full dump of the table is needed.
     */
    @Override
    public void interfaceChanged(String dev) {
        boolean used = withTracker(t -> {
            Set<Key> keys = desiredByDev.getOrDefault(dev, Set.of());
            keys.forEach(t::deleteDataplane);
            return !keys.isEmpty();
        });
        if (used) retrySoon(false);
    }

    /**
     * A route event from the kernel (feed it from the namespace's route monitor). Our route deleted (by
     * someone, or with its device): re-programmed without a dump. A route we own appearing that nobody wants
     * (someone added a {@code proto 98} route): deleted. Updates of desired routes are left to the periodic
     * resync, so an event for our own write can never start a write loop.
     */
    public void kernelRouteChanged(Route kernelRoute, boolean removed) {
        if (kernelRoute.table() != config.table()) return;
        Route n = normalize(kernelRoute);
        kernelObjectChanged(keyOf(n), n, removed, isOurs(kernelRoute));
    }

    /** True if this table owns {@code kernelRoute} (may delete it on resync). */
    public boolean isOurs(Route kernelRoute) {
        if (kernelRoute.table() != config.table()) return false;
        if (config.ownsProtocol(kernelRoute.protocol())) return true;
        return !kernelRoute.protocol().equals(RouteProtocol.KERNEL) && kernelRoute.dev().map(config::ownsInterface).orElse(false);
    }

    @Override
    protected Map<Key, Route> listOwned() throws IOException {
        Map<Key, Route> out = new HashMap<>();
        for (Route r : kernel.listRoutes(config.table())) {
            if (!isOurs(r)) continue;
            Route n = normalize(r);
            out.putIfAbsent(keyOf(n), n);
        }
        return out;
    }

    @Override
    protected void program(Key key, Route value) throws IOException {
        kernel.replaceRoute(value);
    }

    @Override
    protected void unprogram(Key key, Route observed) throws IOException {
        kernel.deleteRoute(observed);
    }

    @Override
    protected String describe(Key key, Route r) {
        StringBuilder sb = new StringBuilder();
        if (r.type() != RouteType.UNICAST) sb.append(r.type().name().toLowerCase()).append(' ');
        sb.append(key);
        r.gateway().ifPresent(g -> sb.append(" via ").append(g));
        r.dev().ifPresent(d -> sb.append(" dev ").append(d));
        if (r.onlink()) sb.append(" onlink");
        return sb.toString();
    }

    private static Key keyOf(Route normalized) {
        return new Key(normalized.dst(), normalized.metric().orElse(0));
    }

    /**
     * A route as the kernel reports it back: device routes get scope link (IPv4), every IPv6 route has scope
     * universe and metric 1024 unless set, IPv4 metric 0 is "unset", and non-unicast routes (blackhole,
     * unreachable, ...) have no device.
     */
    public static Route normalize(Route r) {
        boolean v6 = r.family() == IpFamily.V6;
        RouteScope scope = r.scope();
        if (v6) scope = RouteScope.UNIVERSE;
        else if (r.type() == RouteType.UNICAST && r.gateway().isEmpty() && scope == RouteScope.UNIVERSE) scope = RouteScope.LINK;
        else if (r.type() == RouteType.LOCAL) scope = RouteScope.HOST;
        OptionalInt metric = r.metric();
        if (v6 && (metric.isEmpty() || metric.getAsInt() == 0)) metric = OptionalInt.of(IPV6_DEFAULT_METRIC);
        if (!v6 && metric.isPresent() && metric.getAsInt() == 0) metric = OptionalInt.empty();
        Optional<String> dev = r.type() == RouteType.UNICAST || r.type() == RouteType.LOCAL ? r.dev() : Optional.empty();
        return new Route(r.dst(), r.gateway(), dev, scope, r.table(), r.protocol(), r.type(), r.src(), metric, r.mtu(), r.onlink());
    }
}
