package io.podnet.bgp.speaker;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.rib.PeerPolicy;
import io.podnet.bgp.rib.Route;
import io.podnet.net.IpAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One configured neighbour. Immutable: build it with {@link #of} and the {@code with...} methods, hand it to
 * {@link Speaker#addPeer}, and change it live with {@link Speaker#updatePeer}.
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
 * @param families       AFI/SAFIs to negotiate (IPv4 and IPv6 unicast are the ones routed)
 * @param importFilter   accept a received route (plain predicate)
 * @param exportFilter   accept a route to be sent, as it would be sent (must be a pure function of the route)
 * @param multihop       an external peer that is not directly connected: its NEXT_HOP need not be on a shared
 *                       subnet (RFC 4271 §5.1.3); ignored for internal peers
 * @param prefixLimit    the most prefixes to accept from the peer, and when to try again (RFC 4486 §4)
 */
public record PeerConfig(IpAddress address, long asn, int port, boolean passive, boolean rrClient, boolean nextHopSelf,
                         Optional<String> password, Optional<IpAddress> localAddress, Optional<IpAddress> nextHopV6,
                         List<AfiSafi> families, Predicate<Route> importFilter, Predicate<Route> exportFilter,
                         boolean multihop, Optional<PrefixLimit> prefixLimit) {
    /**
     * A maximum prefix count (both families together). When the peer's Adj-RIB-In would hold more, the session
     * is closed with Cease "Maximum Number of Prefixes Reached" (RFC 4486 §4, the AFI/SAFI and the bound as
     * data), its routes are dropped, and it is started again after {@code restart} (zero: only by
     * {@link Speaker#enablePeer}).
     */
    public record PrefixLimit(int maxPrefixes, Duration restart) {
        public PrefixLimit {
            if (maxPrefixes < 1) throw new IllegalArgumentException("maxPrefixes must be at least 1: " + maxPrefixes);
            if (restart == null || restart.isNegative()) throw new IllegalArgumentException("prefix limit restart must be zero or positive");
        }
    }

    public PeerConfig {
        if (address == null) throw new IllegalArgumentException("peer address is required");
        if (asn <= 0 || asn > 0xffff_ffffL) throw new IllegalArgumentException("peer AS out of range: " + asn);
        if (port <= 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        if (password.isPresent() && (password.get().isEmpty() || password.get().length() > 80)) {
            throw new IllegalArgumentException("TCP-MD5 key must be 1..80 bytes (TCP_MD5SIG_MAXKEYLEN)");
        }
        families = List.copyOf(families);
        if (families.isEmpty()) throw new IllegalArgumentException("at least one address family");
        for (AfiSafi f : families) {
            if (!f.isSupported()) throw new IllegalArgumentException("unsupported family " + f + " (ipv4-unicast, ipv6-unicast)");
        }
        if (importFilter == null || exportFilter == null) throw new IllegalArgumentException("filters are required");
    }

    /** An active peer with IPv4 and IPv6 unicast, no password, accepting and exporting everything. */
    public static PeerConfig of(IpAddress address, long asn) {
        return new PeerConfig(address, asn, 179, false, false, false, Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST), PeerPolicy.Filters.ACCEPT_ALL.importFilter(),
                PeerPolicy.Filters.ACCEPT_ALL.exportFilter(), false, Optional.empty());
    }

    public boolean ibgp(long localAs) { return asn == localAs; }

    public PeerConfig withPort(int p) { return new PeerConfig(address, asn, p, passive, rrClient, nextHopSelf, password, localAddress, nextHopV6, families, importFilter, exportFilter, multihop, prefixLimit); }

    public PeerConfig withPassive(boolean p) { return new PeerConfig(address, asn, port, p, rrClient, nextHopSelf, password, localAddress, nextHopV6, families, importFilter, exportFilter, multihop, prefixLimit); }

    public PeerConfig withRrClient(boolean c) { return new PeerConfig(address, asn, port, passive, c, nextHopSelf, password, localAddress, nextHopV6, families, importFilter, exportFilter, multihop, prefixLimit); }

    public PeerConfig withNextHopSelf(boolean n) { return new PeerConfig(address, asn, port, passive, rrClient, n, password, localAddress, nextHopV6, families, importFilter, exportFilter, multihop, prefixLimit); }

    /** A TCP-MD5 key; null removes it. */
    public PeerConfig withPassword(String pw) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, Optional.ofNullable(pw), localAddress, nextHopV6, families, importFilter, exportFilter, multihop, prefixLimit); }

    public PeerConfig withLocalAddress(IpAddress a) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, Optional.ofNullable(a), nextHopV6, families, importFilter, exportFilter, multihop, prefixLimit); }

    public PeerConfig withNextHopV6(IpAddress a) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, localAddress, Optional.ofNullable(a), families, importFilter, exportFilter, multihop, prefixLimit); }

    public PeerConfig withFamilies(List<AfiSafi> f) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, localAddress, nextHopV6, f, importFilter, exportFilter, multihop, prefixLimit); }

    public PeerConfig withFilters(Predicate<Route> in, Predicate<Route> out) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, localAddress, nextHopV6, families, in, out, multihop, prefixLimit); }

    /** Only the import filter; the export filter stays. */
    public PeerConfig withImportFilter(Predicate<Route> in) { return withFilters(in, exportFilter); }

    /** Only the export filter (a per-peer export policy); the import filter stays. */
    public PeerConfig withExportFilter(Predicate<Route> out) { return withFilters(importFilter, out); }

    public PeerConfig withMultihop(boolean m) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, localAddress, nextHopV6, families, importFilter, exportFilter, m, prefixLimit); }

    /** A prefix limit; null removes it. */
    public PeerConfig withPrefixLimit(PrefixLimit l) { return new PeerConfig(address, asn, port, passive, rrClient, nextHopSelf, password, localAddress, nextHopV6, families, importFilter, exportFilter, multihop, Optional.ofNullable(l)); }

    /** At most {@code max} prefixes, restarting {@code restart} after the Cease. */
    public PeerConfig withMaxPrefixes(int max, Duration restart) { return withPrefixLimit(new PrefixLimit(max, restart)); }

    /**
     * True if changing from {@code this} to {@code next} needs a new session (what the OPEN, the connection or
     * the peer's identity or its received routes depend on); false if it can be applied to a running session
     * (filters, next-hop self, next hops, prefix limit).
     */
    boolean needsNewSession(PeerConfig next) {
        return !address.equals(next.address) || asn != next.asn || port != next.port || passive != next.passive
                || rrClient != next.rrClient
                || !password.equals(next.password) || !localAddress.equals(next.localAddress)
                || !families.equals(next.families) || multihop != next.multihop;
    }
}
