package io.podnet.cnm.state;

/** A network Docker created on our driver: its bridge, pool (CIDR) and gateway (CIDR, on the bridge). */
public record NetworkState(String networkId, String bridge, String pool, String gateway) {}
