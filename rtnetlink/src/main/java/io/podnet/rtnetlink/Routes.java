package io.podnet.rtnetlink;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.net.IpFamily;
import io.podnet.rtnetlink.message.NlMessage;
import io.podnet.rtnetlink.message.RouteCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Route operations of one namespace handle ({@code ip route}). A unicast route with neither gateway nor an
 * explicit scope gets scope link, as iproute2 does.
 */
public final class Routes {
    private final Rtnetlink h;

    Routes(Rtnetlink h) {
        this.h = h;
    }

    /** Equivalent to {@code ip route show table TABLE} plus {@code ip -6 route show table TABLE}. */
    public List<Route> list(int table) throws IOException {
        return listAll().stream().filter(r -> r.table() == table).toList();
    }

    /** Routes of the main table. */
    public List<Route> list() throws IOException {
        return list(RT_TABLE_MAIN);
    }

    /** Routes of one family in a table. */
    public List<Route> list(IpFamily family, int table) throws IOException {
        return list(table).stream().filter(r -> r.family() == family).toList();
    }

    /** Equivalent to {@code ip route show table all} (both families). */
    public List<Route> listAll() throws IOException {
        Map<Integer, String> names = new HashMap<>();
        for (Link l : h.links().list()) names.put(l.index(), l.name());
        List<Route> out = new ArrayList<>();
        for (NlMessage m : h.dump(RouteCodec.encodeDump(null), "route list")) {
            Optional<RouteCodec.Raw> r = RouteCodec.decode(m);
            if (r.isEmpty()) continue;
            out.add(toRoute(r.get(), names));
        }
        return out;
    }

    /** The typed route of a decoded one, its output ifindex named through {@code names} (dropped if unknown). */
    static Route toRoute(RouteCodec.Raw x, Map<Integer, String> names) {
        Optional<String> dev = x.oif().isPresent() ? Optional.ofNullable(names.get(x.oif().getAsInt())) : Optional.empty();
        return new Route(x.dst(), x.gateway(), dev, RouteScope.of(x.scope()), x.table(), new RouteProtocol(x.protocol()),
                RouteType.of(x.type()), x.src(), x.metric(), x.mtu(), (x.flags() & RTNH_F_ONLINK) != 0);
    }

    /** Equivalent to {@code ip route add ...}; EEXIST if a route with the same key exists. */
    public void add(Route r) throws IOException {
        h.execute(RouteCodec.encode(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, raw(r, false)), "route add " + describe(r));
    }

    /** Equivalent to {@code ip route replace ...}: idempotent. */
    public void replace(Route r) throws IOException {
        h.execute(RouteCodec.encode(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, raw(r, false)), "route replace " + describe(r));
    }

    /** Equivalent to {@code ip route del ...}; ESRCH if there is no such route. */
    public void delete(Route r) throws IOException {
        h.execute(RouteCodec.encode(RTM_DELROUTE, 0, raw(r, true)), "route del " + describe(r));
    }

    /** {@code ip route del} that succeeds when the route is already gone. */
    public boolean deleteIfPresent(Route r) throws IOException {
        try {
            delete(r);
            return true;
        } catch (NetlinkException e) {
            if (e.isNotFound()) return false;
            throw e;
        }
    }

    private RouteCodec.Raw raw(Route r, boolean forDelete) throws IOException {
        OptionalInt oif = r.dev().isPresent() ? OptionalInt.of(h.links().index(r.dev().get())) : OptionalInt.empty();
        int scope = r.scope().value;
        if (forDelete) {
            scope = RouteScope.NOWHERE.value;
        } else if (r.type() == RouteType.UNICAST && r.gateway().isEmpty() && r.scope() == RouteScope.UNIVERSE) {
            scope = RouteScope.LINK.value;
        } else if (r.type() == RouteType.LOCAL) {
            scope = RouteScope.HOST.value;
        }
        int protocol = forDelete && r.protocol().equals(RouteProtocol.BOOT) ? 0 : r.protocol().value();
        return new RouteCodec.Raw(r.dst(), r.gateway(), oif, scope, r.table(), protocol, r.type().value(), r.src(),
                r.metric(), r.mtu(), r.onlink() ? RTNH_F_ONLINK : 0);
    }

    private static String describe(Route r) {
        StringBuilder sb = new StringBuilder();
        if (r.type() != RouteType.UNICAST) sb.append(r.type().name().toLowerCase()).append(' ');
        sb.append(r.dst());
        r.gateway().ifPresent(g -> sb.append(" via ").append(g));
        r.dev().ifPresent(d -> sb.append(" dev ").append(d));
        if (r.table() != RT_TABLE_MAIN) sb.append(" table ").append(r.table());
        return sb.toString();
    }
}
