package io.podnet.bgp.speaker;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.rib.PeerPolicy;
import io.podnet.bgp.rib.Route;
import io.podnet.net.IpAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One configured neighbour.
 *
 * @param address        the peer's address (also its identity in the speaker)
 * @param asn            the peer's AS; equal to ours means iBGP
 * @param port           TCP port to connect to (179)
 * @param passive        never connect out, only accept
 * @param rrClient       a route-reflector client (RFC 4456); only meaningful when the speaker has a cluster id
 * @param nextHopSelf    rewrite the next hop to our address on iBGP too
 * @param password       TCP-MD5 key (RFC 2385), if any
 * @param localAddress   source address for outgoing connections
 * @param nextHopV6      our IPv6 next hop for IPv6 routes over an IPv4 session (else IPv4-mapped)
 * @param families       AFI/SAFIs to negotiate
 * @param importFilter   accept a received route (plain predicate)
 * @param exportFilter   accept a route to be sent, as it would be sent
 */
public record PeerConfig(IpAddress address, long asn, int port, boolean passive, boolean rrClient, boolean nextHopSelf,
                         Optional<String> password, Optional<IpAddress> localAddress, Optional<IpAddress> nextHopV6,
                         List<AfiSafi> families, Predicate<Route> importFilter, Predicate<Route> exportFilter) {
    public PeerConfig {
        if (address == null) throw new IllegalArgumentException("peer address is required");
        if (asn <= 0 || asn > 0xffff_ffffL) throw new IllegalArgumentException("peer AS out of range: " + asn);
        if (port <= 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (password.isPresent() && (password.get().isEmpty() || password.get().length() > 80)) {
            throw new IllegalArgumentException("TCP-MD5 key must be 1..80 bytes (TCP_MD5SIG_MAXKEYLEN)");
        }
        families = List.copyOf(families);
        if (families.isEmpty()) throw new IllegalArgumentException("at least one address family");
    }

    /** An active peer with IPv4 and IPv6 unicast, no password, accepting and exporting everything. */
    public static PeerConfig of(IpAddress address, long asn) {
        return new PeerConfig(address, asn, 179, false, false, false, Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST), PeerPolicy.Filters.ACCEPT_ALL.importFilter(),
                PeerPolicy.Filters.ACCEPT_ALL.exportFilter());
    }

    public PeerConfig withPort(int p) { return new PeerConfig(address, asn, p, passive, rrClient, nextHopSelf, password, localAddress, nextHopV6, families, importFilter, exportFilter); }

    public PeerConfig withPassive(boolean p) { return new PeerConfig(address, asn, port, p, rrClient, nextHopSelf, password, localAddress, nextHopV6, families, importFilter, exportFilter); }

    public PeerConfig withRrClient(boolean c) { return new PeerConfig(address, asn, port, passive, c, nextHopSelf, password, localAddress, nextHopV6, families, importFilter, exportFilter); }

    public PeerConfig withNextHopSelf(boolean n) { return new PeerConfig(address, asn, port, passive, rrClient, n, password, localAddress, nextHopV6, families, importFilter, exportFilter); }

    public PeerConfig withPassword(String pw) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, Optional.ofNullable(pw), localAddress, nextHopV6, families, importFilter, exportFilter); }

    public PeerConfig withLocalAddress(IpAddress a) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, Optional.ofNullable(a), nextHopV6, families, importFilter, exportFilter); }

    public PeerConfig withNextHopV6(IpAddress a) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, localAddress, Optional.ofNullable(a), families, importFilter, exportFilter); }

    public PeerConfig withFamilies(List<AfiSafi> f) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, localAddress, nextHopV6, f, importFilter, exportFilter); }

    public PeerConfig withFilters(Predicate<Route> in, Predicate<Route> out) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, localAddress, nextHopV6, families, in, out); }
}
