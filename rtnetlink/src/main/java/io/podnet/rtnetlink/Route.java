package io.podnet.rtnetlink;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.message.Nl;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A route ({@code ip route}). {@code table} 254 is main. Identity for replace/delete is
 * (table, dst, metric) as in the kernel. Build with {@link #to(IpPrefix)}.
 */
public record Route(IpPrefix dst, Optional<IpAddress> gateway, Optional<String> dev, RouteScope scope, int table,
                    RouteProtocol protocol, RouteType type, Optional<IpAddress> src, OptionalInt metric,
                    OptionalInt mtu, boolean onlink) {

    public Route {
        if (dst == null) throw new IllegalArgumentException("route needs a destination");
        if (gateway == null) gateway = Optional.empty();
        if (dev == null) dev = Optional.empty();
        if (src == null) src = Optional.empty();
        if (metric == null) metric = OptionalInt.empty();
        if (mtu == null) mtu = OptionalInt.empty();
        if (scope == null) scope = RouteScope.UNIVERSE;
        if (protocol == null) protocol = RouteProtocol.BOOT;
        if (type == null) type = RouteType.UNICAST;
        gateway.ifPresent(g -> {
            if (g.family() != dst.family()) throw new IllegalArgumentException("gateway " + g + " is not in the family of " + dst);
        });
    }

    public IpFamily family() { return dst.family(); }

    /** A unicast route to {@code dst} in the main table, protocol boot, scope universe. */
    public static Route to(IpPrefix dst) {
        return new Route(dst, Optional.empty(), Optional.empty(), RouteScope.UNIVERSE, Nl.RT_TABLE_MAIN,
                RouteProtocol.BOOT, RouteType.UNICAST, Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), false);
    }

    public static Route to(String dst) { return to(IpPrefix.parse(dst)); }

    /** {@code ip route add DST via GW dev DEV}. */
    public static Route via(IpPrefix dst, IpAddress gw, String dev) { return to(dst).gateway(gw).dev(dev); }

    /** {@code ip route add DST dev DEV scope link}. */
    public static Route device(IpPrefix dst, String dev) { return to(dst).dev(dev).scope(RouteScope.LINK); }

    public Route gateway(IpAddress g) { return new Route(dst, Optional.of(g), dev, scope, table, protocol, type, src, metric, mtu, onlink); }

    public Route dev(String d) { return new Route(dst, gateway, Optional.of(d), scope, table, protocol, type, src, metric, mtu, onlink); }

    public Route scope(RouteScope s) { return new Route(dst, gateway, dev, s, table, protocol, type, src, metric, mtu, onlink); }

    public Route table(int t) { return new Route(dst, gateway, dev, scope, t, protocol, type, src, metric, mtu, onlink); }

    public Route protocol(RouteProtocol p) { return new Route(dst, gateway, dev, scope, table, p, type, src, metric, mtu, onlink); }

    public Route type(RouteType t) { return new Route(dst, gateway, dev, scope, table, protocol, t, src, metric, mtu, onlink); }

    public Route src(IpAddress s) { return new Route(dst, gateway, dev, scope, table, protocol, type, Optional.of(s), metric, mtu, onlink); }

    public Route metric(int m) { return new Route(dst, gateway, dev, scope, table, protocol, type, src, OptionalInt.of(m), mtu, onlink); }

    public Route mtu(int m) { return new Route(dst, gateway, dev, scope, table, protocol, type, src, metric, OptionalInt.of(m), onlink); }

    public Route withOnlink() { return new Route(dst, gateway, dev, scope, table, protocol, type, src, metric, mtu, true); }
}
