package io.podnet.bgp.rib;

import io.podnet.net.IpAddress;

/**
 * Where a route came from: this speaker ({@link #local}) or a peer session. The decision process and the
 * iBGP/eBGP export rules read these fields (RFC 4271 §9.1.2.2 d, f, g; RFC 4456 §6).
 */
public record RouteSource(Kind kind, IpAddress peerAddress, long peerAs, IpAddress peerRouterId, boolean rrClient) {
    /** Local (originated here), internal peer, external peer. */
    public enum Kind { LOCAL, IBGP, EBGP }

    public RouteSource {
        if (kind == null || peerAddress == null || peerRouterId == null) throw new IllegalArgumentException("kind, address and router id are required");
    }

    public static RouteSource local(long asn, IpAddress routerId) {
        return new RouteSource(Kind.LOCAL, IpAddress.v4(0), asn, routerId, false);
    }

    public boolean isLocal() { return kind == Kind.LOCAL; }

    public boolean isIbgp() { return kind == Kind.IBGP; }

    public boolean isEbgp() { return kind == Kind.EBGP; }
}
