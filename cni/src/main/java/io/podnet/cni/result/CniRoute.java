package io.podnet.cni.result;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.Optional;

/**
 * A result route. {@code mtu}, {@code advmss}, {@code priority} (lower wins), {@code table} and {@code scope}
 * (0 global, 253 link, 254 host) exist from 1.1.0 on and are dropped when writing older versions.
 */
public record CniRoute(IpPrefix dst, Optional<IpAddress> gw, Optional<Integer> mtu, Optional<Integer> advmss,
                       Optional<Integer> priority, Optional<Integer> table, Optional<Integer> scope) {
    public CniRoute {
        if (dst == null) throw new IllegalArgumentException("route dst is required");
        if (gw.isPresent() && gw.get().family() != dst.family()) throw new IllegalArgumentException("route gw family differs from dst " + dst);
    }

    public static CniRoute of(IpPrefix dst, Optional<IpAddress> gw) {
        return new CniRoute(dst, gw, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
