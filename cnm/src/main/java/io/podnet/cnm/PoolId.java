package io.podnet.cnm;

import io.podnet.net.IpPrefix;
import java.util.Optional;

/**
 * A pool as Docker refers to it: {@code podnet/<pool>[/<subpool>]}, e.g. {@code podnet/10.235.0.0/24/10.235.0.128/25}.
 * The CIDRs are in the id, so an id stays valid after our restart even though dockerd never replays RequestPool.
 * IPv6 pools ({@code podnet/fd00:6::/64}) are at most a /126, IPv4 pools at most a /30.
 */
record PoolId(IpPrefix pool, Optional<IpPrefix> subPool) {
    static final String PREFIX = "podnet/";

    PoolId {
        int max = pool.address().isV4() ? 30 : 126;
        if (pool.length() > max) throw new IllegalArgumentException("pool " + pool + " is smaller than a /" + max);
        if (subPool.isPresent() && !pool.contains(subPool.get())) {
            throw new IllegalArgumentException("sub-pool " + subPool.get() + " is not inside pool " + pool);
        }
    }

    static PoolId parse(String id) {
        if (id == null || !id.startsWith(PREFIX)) throw new IllegalArgumentException("not a podnet PoolID: " + id);
        String[] p = id.substring(PREFIX.length()).split("/");
        if (p.length == 2) return new PoolId(IpPrefix.parse(p[0] + "/" + p[1]), Optional.empty());
        if (p.length == 4) return new PoolId(IpPrefix.parse(p[0] + "/" + p[1]), Optional.of(IpPrefix.parse(p[2] + "/" + p[3])));
        throw new IllegalArgumentException("not a podnet PoolID: " + id);
    }

    /** Name of the pool's reservation directory (one per pool CIDR; sub-pools share it). */
    String storeName() {
        return pool.address() + "_" + pool.length();
    }

    @Override
    public String toString() {
        return PREFIX + pool + subPool.map(s -> "/" + s).orElse("");
    }
}
