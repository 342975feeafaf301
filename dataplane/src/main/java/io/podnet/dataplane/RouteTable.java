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
 * The routes podnet owns in one routing table (after Calico's {@code felix/routetable}). Inputs say which
 * route each destination should have ({@link #setRoute}, {@link #removeRoute}); {@link #apply()} makes the
 * kernel agree, touching only routes it owns (see {@link RouteTableConfig}): those carrying the table's
 * protocol (98, PODNET, by default) and, optionally, non-kernel routes on owned interface prefixes.
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
    private final Map<IpPrefix, Key> desiredByDst = new HashMap<>();  // guarded by the table lock (update())
    private final Map<String, Set<Key>> desiredByDev = new HashMap<>(); // guarded by the table lock

    public RouteTable(Kernel kernel, InstantSource clock, RouteTableConfig config) {
        super(kernel, clock, new DeltaTracker<>());
        this.config = config;
    }

    public RouteTableConfig config() { return config; }

    @Override
    public String name() { return "routes[table " + config.table() + "]"; }

    @Override
    public Stage stage() { return Stage.ROUTES; }

    /**
     * Wants {@code route} for its destination, replacing any earlier desired route to the same destination.
     * The table stamps its own table number and protocol on the route.
     */
    public void setRoute(Route route) {
        Route r = normalize(route.table(config.table()).protocol(config.protocol()));
        Key key = keyOf(r);
        update(t -> {
            Key old = desiredByDst.put(r.dst(), key);
            if (old != null) {
                unindex(t, old);
                if (!old.equals(key)) t.deleteDesired(old);
            }
            t.setDesired(key, r);
            r.dev().ifPresent(d -> desiredByDev.computeIfAbsent(d, x -> new HashSet<>()).add(key));
        });
    }

    /** No longer wants a route to {@code dst}; the next apply deletes it if the kernel has it. */
    public void removeRoute(IpPrefix dst) {
        update(t -> {
            Key old = desiredByDst.remove(dst);
            if (old != null) {
                unindex(t, old);
                t.deleteDesired(old);
            }
        });
    }

    private void unindex(DeltaTracker<Key, Route> t, Key key) {
        t.desired(key).flatMap(Route::dev).ifPresent(d -> {
            Set<Key> keys = desiredByDev.get(d);
            if (keys != null && keys.remove(key) && keys.isEmpty()) desiredByDev.remove(d);
        });
    }

    /** The desired route to {@code dst}, normalized, if any. */
    public Optional<Route> desiredRoute(IpPrefix dst) {
        return withTracker(t -> Optional.ofNullable(desiredByDst.get(dst)).flatMap(t::desired));
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

    /** True if this table owns {@code kernelRoute} (may delete it on resync). */
    public boolean isOurs(Route kernelRoute) {
        if (kernelRoute.table() != config.table()) return false;
        if (kernelRoute.protocol().equals(config.protocol())) return true;
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
