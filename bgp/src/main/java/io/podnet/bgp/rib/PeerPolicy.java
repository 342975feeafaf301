package io.podnet.bgp.rib;

import io.podnet.net.IpAddress;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How the RIB treats one peer: its source identity, whether it is a route-reflector client, next-hop-self,
 * the local session addresses used as next hop, and the import/export filters (plain predicates; the export
 * filter sees the route as it would be sent).
 */
public record PeerPolicy(RouteSource source, boolean nextHopSelf, NextHops localNextHops, Filters filters) {
    /** Our next hops toward this peer: the session's local IPv4 address and an IPv6 address for IPv6 routes. */
    public record NextHops(IpAddress v4, Optional<IpAddress> v6) {
        public NextHops {
            if (v4 == null || !v4.isV4()) throw new IllegalArgumentException("IPv4 next hop required");
        }

        /** RFC 4760 / RFC 2545: IPv6 routes need an IPv6 next hop; fall back to the IPv4-mapped address. */
        public IpAddress v6OrMapped() {
            return v6.orElseGet(() -> new IpAddress(io.podnet.net.IpFamily.V6, 0, 0xffff_0000_0000L | v4.lo()));
        }
    }

    /** Import and export predicates. */
    public record Filters(Predicate<Route> importFilter, Predicate<Route> exportFilter) {
        public static final Filters ACCEPT_ALL = new Filters(r -> true, r -> true);

        /** True if imports are not filtered (the predicate is {@code ACCEPT_ALL}'s): no Route needs making. */
        public boolean importsAll() { return importFilter == ACCEPT_ALL.importFilter; }

        /** True if exports are not filtered (the predicate is {@code ACCEPT_ALL}'s). */
        public boolean exportsAll() { return exportFilter == ACCEPT_ALL.exportFilter; }
    }
}
