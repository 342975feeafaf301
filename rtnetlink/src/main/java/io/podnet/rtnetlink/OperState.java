package io.podnet.rtnetlink;

/** RFC 2863 operational state as the kernel reports it ({@code IFLA_OPERSTATE}). */
public enum OperState {
    UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP;

    public static OperState of(int v) {
        return v >= 0 && v < values().length ? values()[v] : UNKNOWN;
    }
}
