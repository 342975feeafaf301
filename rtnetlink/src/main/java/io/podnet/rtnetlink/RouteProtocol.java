package io.podnet.rtnetlink;

/**
 * {@code rtm_protocol}: who installed a route. An open code space. {@link #PODNET} marks the routes podnet owns;
 * a resync deletes only routes carrying it.
 */
public record RouteProtocol(int value) {
    public static final RouteProtocol UNSPEC = new RouteProtocol(0);
    public static final RouteProtocol KERNEL = new RouteProtocol(2);
    public static final RouteProtocol BOOT = new RouteProtocol(3);
    public static final RouteProtocol STATIC = new RouteProtocol(4);
    public static final RouteProtocol BIRD = new RouteProtocol(12);
    public static final RouteProtocol BGP = new RouteProtocol(186);
    /** podnet's own mark (0x62). Not registered in iproute2's rt_protos; shows as "proto 98". */
    public static final RouteProtocol PODNET = new RouteProtocol(98);

    public RouteProtocol {
        if (value < 0 || value > 255) throw new IllegalArgumentException("route protocol must be 0..255: " + value);
    }
}
