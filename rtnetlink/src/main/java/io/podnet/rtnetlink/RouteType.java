package io.podnet.rtnetlink;

/** {@code rtm_type} ({@code RTN_*}). */
public enum RouteType {
    UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE;

    public int value() { return ordinal(); }

    public static RouteType of(int v) {
        return v >= 0 && v < values().length ? values()[v] : UNSPEC;
    }
}
