package io.podnet.bgp.message;

/**
 * An address family / subsequent address family pair (RFC 4760 §3, IANA registries). Open: any pair can be
 * represented; {@link #IPV4_UNICAST} and {@link #IPV6_UNICAST} are the ones this speaker routes.
 */
public record AfiSafi(int afi, int safi) {
    public static final int AFI_IPV4 = 1;
    public static final int AFI_IPV6 = 2;
    public static final int SAFI_UNICAST = 1;
    public static final AfiSafi IPV4_UNICAST = new AfiSafi(AFI_IPV4, SAFI_UNICAST);
    public static final AfiSafi IPV6_UNICAST = new AfiSafi(AFI_IPV6, SAFI_UNICAST);

    public AfiSafi {
        if (afi < 0 || afi > 0xffff || safi < 0 || safi > 0xff) {
            throw new IllegalArgumentException("AFI/SAFI out of range: " + afi + "/" + safi);
        }
    }

    /** True for the families whose NLRI this codec parses (IPv4 and IPv6 unicast). */
    public boolean isSupported() { return equals(IPV4_UNICAST) || equals(IPV6_UNICAST); }

    @Override
    public String toString() {
        if (equals(IPV4_UNICAST)) return "ipv4-unicast";
        if (equals(IPV6_UNICAST)) return "ipv6-unicast";
        return "afi" + afi + "/safi" + safi;
    }
}
