package io.podnet.rtnetlink;

/** {@code rtm_scope}: how far a route's destination is. */
public enum RouteScope {
    UNIVERSE(0), SITE(200), LINK(253), HOST(254), NOWHERE(255);

    public final int value;

    RouteScope(int v) { this.value = v; }

    public static RouteScope of(int v) {
        for (RouteScope s : values()) if (s.value == v) return s;
        return UNIVERSE;
    }
}
