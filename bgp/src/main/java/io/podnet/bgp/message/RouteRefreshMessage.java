package io.podnet.bgp.message;

/**
 * ROUTE-REFRESH (RFC 2918 §3): asks the peer to re-send its Adj-RIB-Out for one AFI/SAFI.
 * {@code subtype} is the RFC 7313 §3 field (0 = normal request, 1 = BoRR, 2 = EoRR); RFC 2918 calls it Reserved.
 */
public record RouteRefreshMessage(AfiSafi family, int subtype) implements BgpMessage {
    /** RFC 7313 §3 message subtypes. */
    public static final int REQUEST = 0;
    public static final int BORR = 1;
    public static final int EORR = 2;

    public RouteRefreshMessage {
        if (family == null) throw new IllegalArgumentException("family is required");
        if (subtype < 0 || subtype > 255) throw new IllegalArgumentException("subtype out of range: " + subtype);
    }

    public RouteRefreshMessage(AfiSafi family) { this(family, 0); }

    @Override
    public int type() { return TYPE_ROUTE_REFRESH; }
}
