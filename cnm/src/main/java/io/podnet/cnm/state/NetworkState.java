package io.podnet.cnm.state;

/**
 * A network Docker created on our driver: its bridge, IPv4 pool (CIDR) and gateway (CIDR, on the bridge), and for a
 * dual-stack network ({@code docker network create --ipv6}) the IPv6 pool and gateway (null otherwise; files
 * written before IPv6 support have neither).
 */
public record NetworkState(String networkId, String bridge, String pool, String gateway, String pool6, String gateway6) {
    public boolean dualStack() { return pool6 != null && !pool6.isEmpty(); }
}
