package io.podnet.bgp.rib;

import io.podnet.net.IpPrefix;

/** A prefix with its path: one entry of Adj-RIB-In, Loc-RIB or Adj-RIB-Out (RFC 4271 §3.2). */
public record Route(IpPrefix prefix, RouteSource source, Attrs attrs) {
    public Route {
        if (prefix == null || source == null || attrs == null) throw new IllegalArgumentException("prefix, source and attrs are required");
    }
}
