package io.podnet.cnm;

import io.podnet.cnm.CnmException.Kind;
import io.podnet.cnm.state.StateDir;
import io.podnet.ipam.AllocRange;
import io.podnet.ipam.IpamException;
import io.podnet.ipam.Owner;
import io.podnet.ipam.RangeSet;
import io.podnet.ipam.store.IpamStores;
import io.podnet.ipam.store.LocalIpamStore;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The IPAM half: pools with reference counts (persisted), addresses reserved in one {@link LocalIpamStore}
 * per pool (gateway and aux addresses too). The network address and the broadcast address are never handed
 * out (in IPv6 pools the first address, the subnet-router anycast of RFC 4291 §2.6.1, and the last are skipped the
 * same way; IPv6 pools need an explicit subnet). Thread-safe (all public methods are synchronized).
 */
final class IpamDriver implements AutoCloseable {
    static final String GATEWAY_TYPE = "com.docker.network.gateway";
    /** Docker's own IPAM refuses an overlapping (or identical) pool with this text (libnetwork ipamapi.ErrPoolOverlap). */
    static final String POOL_OVERLAP = "Pool overlaps with other one on this address space";
    private static final String OWNER_IFNAME = "docker";
    private final CnmConfig config;
    private final StateDir state;
    private final Rtnetlink host;
    private final IpamStores stores = new IpamStores();
    private final Map<String, Integer> pools;

    IpamDriver(CnmConfig config, StateDir state, Rtnetlink host) throws IOException {
        this.config = config;
        this.state = state;
        this.host = host;
        this.pools = state.pools();
    }

    /**
     * The pool Docker asked for (empty: a free default pool); returns its id. A pool that overlaps one in use, or
     * equals it, is refused as Docker's default IPAM does: two networks on one subnet would mean two bridges with a
     * route each for the same prefix, and the containers of one of them unreachable. (Docker never asks twice for a
     * pool it holds: it does not replay pools, {@code RequiresRequestReplay} is false.)
     */
    synchronized PoolId requestPool(String pool, String subPool, boolean v6) throws CnmException {
        if (pool.isEmpty() && !subPool.isEmpty()) throw new CnmException(Kind.BAD_REQUEST, "a sub-pool needs a pool");
        if (v6 && pool.isEmpty()) {
            throw new CnmException(Kind.BAD_REQUEST, "IPv6 pools need an explicit subnet (docker network create --ipv6 --subnet <IPv6 CIDR>):"
                    + " podnet has no default IPv6 range");
        }
        PoolId id;
        try {
            id = pool.isEmpty() ? new PoolId(freeDefaultPool(), Optional.empty())
                    : new PoolId(IpPrefix.parse(pool), subPool.isEmpty() ? Optional.empty() : Optional.of(IpPrefix.parse(subPool)));
        } catch (IllegalArgumentException e) {
            throw new CnmException(Kind.BAD_REQUEST, e.getMessage(), e);
        }
        if (id.pool().address().isV4() == v6) {
            throw new CnmException(Kind.BAD_REQUEST, "pool " + id.pool() + " is not an IPv" + (v6 ? "6" : "4") + " pool (V6=" + v6 + ")");
        }
        for (String other : pools.keySet()) {
            IpPrefix used = PoolId.parse(other).pool();
            if (used.overlaps(id.pool())) { // the same subnet too: a second bridge and route for it would cut both off
                throw new CnmException(Kind.CONFLICT, POOL_OVERLAP + " (" + id.pool() + " overlaps " + used + ", in use)");
            }
        }
        pools.merge(id.toString(), 1, Integer::sum);
        persist();
        return id;
    }

    private IpPrefix freeDefaultPool() throws CnmException {
        List<IpPrefix> used = new ArrayList<>();
        pools.keySet().forEach(k -> used.add(PoolId.parse(k).pool()));
        try {
            for (Route r : host.routes().list()) {
                if (r.dst().address().isV4() && !r.dst().isDefault()) used.add(r.dst());
            }
        } catch (IOException e) {
            throw new CnmException(Kind.SYSTEM, "cannot list host routes: " + e.getMessage(), e);
        }
        long n = 1L << (config.defaultPoolLength() - config.defaultPools().length());
        for (long i = 0; i < n; i++) {
            IpPrefix cand = config.defaultPools().subnet(config.defaultPoolLength(), i);
            if (used.stream().noneMatch(u -> u.overlaps(cand))) return cand;
        }
        throw new CnmException(Kind.EXHAUSTED, "no free /" + config.defaultPoolLength() + " left in " + config.defaultPools());
    }

    /** Drops one reference; the last one releases every address still reserved in the pool. */
    synchronized void releasePool(String poolId) throws CnmException {
        PoolId id = parse(poolId);
        Integer refs = pools.get(id.toString());
        if (refs == null) return;
        if (refs > 1) {
            pools.put(id.toString(), refs - 1);
        } else {
            pools.remove(id.toString());
            try {
                LocalIpamStore s = store(id);
                s.releaseAllExcept(List.of());
            } catch (IOException e) {
                throw new CnmException(Kind.SYSTEM, "cannot release addresses of " + id + ": " + e.getMessage(), e);
            }
        }
        persist();
    }

    /**
     * Reserves {@code address} (empty: any free one in the sub-pool, or the pool's first address for a gateway
     * request) and returns it with the pool's prefix length.
     */
    synchronized String requestAddress(String poolId, String address, boolean gateway) throws CnmException {
        PoolId id = parse(poolId);
        if (pools.putIfAbsent(id.toString(), 1) == null) persist(); // ours from before a state loss: the id carries the CIDR
        IpPrefix p = id.pool();
        Owner owner = new Owner(UUID.randomUUID().toString(), OWNER_IFNAME);
        try {
            LocalIpamStore s = store(id);
            IpAddress got;
            if (!address.isEmpty()) {
                IpAddress want = parseAddress(address);
                if (!inside(p, want)) throw new CnmException(Kind.BAD_REQUEST, "address " + want + " is not usable in pool " + p);
                got = s.allocate(owner, List.of(rangeOf(p, p)), List.of(want)).getFirst();
            } else if (gateway && !s.reservations().containsKey(p.address().next())) {
                got = s.allocate(owner, List.of(rangeOf(p, p)), List.of(p.address().next())).getFirst();
            } else {
                got = s.allocate(owner, List.of(rangeOf(p, id.subPool().orElse(p))), List.of()).getFirst();
            }
            return got + "/" + p.length();
        } catch (IpamException e) {
            if (e.reason() == IpamException.Reason.EXHAUSTED) {
                String range = id.subPool().map(sp -> "range " + sp + " of pool " + p).orElse("pool " + p);
                throw new CnmException(Kind.EXHAUSTED, range + " has no free address left (" + e.getMessage() + ")", e);
            }
            throw new CnmException(Kind.CONFLICT, e.getMessage(), e);
        } catch (IOException e) {
            throw new CnmException(Kind.SYSTEM, "address store failed: " + e.getMessage(), e);
        }
    }

    /** Releases {@code address} (with or without prefix length); idempotent. */
    synchronized void releaseAddress(String poolId, String address) throws CnmException {
        PoolId id = parse(poolId);
        IpAddress ip = parseAddress(address);
        try {
            LocalIpamStore s = store(id);
            Owner o = s.reservations().get(ip);
            if (o != null) s.release(o);
        } catch (IOException e) {
            throw new CnmException(Kind.SYSTEM, "address store failed: " + e.getMessage(), e);
        }
    }

    /** All reservations of a pool (for tests and diagnostics). */
    synchronized Map<IpAddress, Owner> reservations(String poolId) throws IOException, CnmException {
        return store(parse(poolId)).reservations();
    }

    synchronized Map<String, Integer> pools() {
        return Map.copyOf(pools);
    }

    private static boolean inside(IpPrefix p, IpAddress a) {
        return p.contains(a) && !a.equals(p.first()) && !a.equals(p.last());
    }

    /** Usable addresses of {@code range} inside {@code pool}; the pool's network address plays the never-used gateway. */
    private static RangeSet rangeOf(IpPrefix pool, IpPrefix range) throws CnmException {
        IpAddress start = range.first().compareTo(pool.first()) > 0 ? range.first() : pool.first().next();
        IpAddress end = range.last().compareTo(pool.last()) < 0 ? range.last() : pool.last().add(-1);
        if (start.compareTo(end) > 0) throw new CnmException(Kind.EXHAUSTED, "range " + range + " has no usable address");
        return new RangeSet(List.of(new AllocRange(pool, start, end, pool.first())));
    }

    private static PoolId parse(String poolId) throws CnmException {
        try {
            return PoolId.parse(poolId);
        } catch (IllegalArgumentException e) {
            throw new CnmException(Kind.NOT_FOUND, e.getMessage(), e);
        }
    }

    private static IpAddress parseAddress(String a) throws CnmException {
        try {
            int slash = a.indexOf('/');
            return IpAddress.parse(slash < 0 ? a : a.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new CnmException(Kind.BAD_REQUEST, "bad address " + a + ": " + e.getMessage(), e);
        }
    }

    private LocalIpamStore store(PoolId id) throws IOException {
        return stores.get(storeDir(id), config.fsync());
    }

    private Path storeDir(PoolId id) {
        return directory().resolve(id.storeName());
    }

    Path directory() {
        return state.root().resolve("ipam");
    }

    private void persist() throws CnmException {
        try {
            state.putPools(pools);
        } catch (IOException e) {
            throw new CnmException(Kind.SYSTEM, "cannot persist pools: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        stores.close();
    }
}
