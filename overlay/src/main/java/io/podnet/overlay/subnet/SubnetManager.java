package io.podnet.overlay.subnet;

import io.podnet.datastore.Compare;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Lease;
import io.podnet.datastore.LeaseNotFoundException;
import io.podnet.datastore.Op;
import io.podnet.datastore.Txn;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * flanneld's subnet manager on podnet's datastore. Leases live under {@code <prefix>/subnets/} on a 24 h
 * datastore lease; creation is a compare-and-swap on the key's absence, so concurrent nodes never share a
 * subnet. A node that restarts gets its own subnet back by its PublicIP.
 */
public final class SubnetManager {
    public static final String DEFAULT_PREFIX = "/coreos.com/network";
    public static final Duration LEASE_TTL = Duration.ofHours(24);
    private static final int RACE_RETRIES = 10;
    private static final int RANDOM_POOL = 100;

    private final Datastore store;
    private final String prefix;
    private final RandomGenerator random;
    private final Duration ttl;

    public SubnetManager(Datastore store, String prefix, RandomGenerator random, Duration ttl) {
        this.store = store;
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.random = random;
        this.ttl = ttl;
    }

    public SubnetManager(Datastore store) {
        this(store, DEFAULT_PREFIX, new java.util.SplittableRandom(), LEASE_TTL);
    }

    public String configKey() { return prefix + "/config"; }

    public String subnetsPrefix() { return prefix + "/subnets/"; }

    public String keyOf(IpPrefix subnet) { return subnetsPrefix() + SubnetLease.keyName(subnet); }

    /** Reads the network config; a clear error when it is missing (as flannel's "Did you create your config?"). */
    public NetworkConfig config() throws IOException {
        Optional<KeyValue> kv = store.get(configKey());
        if (kv.isEmpty()) {
            throw new IOException("no overlay network config at " + configKey()
                    + " (write one with `podnet overlay config set` or etcdctl put, in etcd's v3 API)");
        }
        return NetworkConfig.parse(kv.get().valueUtf8());
    }

    public void writeConfig(NetworkConfig c) throws DatastoreException {
        store.put(configKey(), c.toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** Every current lease. Keys whose value is not lease JSON are skipped. */
    public List<SubnetLease> leases() throws DatastoreException {
        List<SubnetLease> out = new ArrayList<>();
        for (KeyValue kv : store.snapshot(subnetsPrefix(), 500).kvs()) parse(kv).ifPresent(out::add);
        return out;
    }

    Optional<SubnetLease> parse(KeyValue kv) {
        try {
            return Optional.of(decode(kv));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The lease under {@code kv}; IllegalArgumentException naming what is wrong when key or value is not a lease. */
    SubnetLease decode(KeyValue kv) {
        IpPrefix subnet = SubnetLease.parseKeyName(kv.key().substring(subnetsPrefix().length()));
        return new SubnetLease(subnet, LeaseAttrs.parse(kv.value()), kv.lease(), kv.modRevision());
    }

    /**
     * Acquires this node's lease: (1) its existing lease, found by PublicIP, if still inside the network;
     * (2) {@code previous} (from subnet.env) if free; (3) a random one of the first 100 free subnets.
     */
    public SubnetLease acquire(LeaseAttrs attrs, Optional<IpPrefix> previous) throws IOException {
        NetworkConfig cfg = config();
        for (int attempt = 0; attempt < RACE_RETRIES; attempt++) {
            List<SubnetLease> all = leases();
            Optional<SubnetLease> own = all.stream().filter(l -> l.attrs().publicIp().equals(attrs.publicIp())).findFirst();
            if (own.isPresent()) {
                SubnetLease l = own.get();
                if (cfg.network().contains(l.subnet()) && l.subnet().length() == cfg.subnetLen()) {
                    Optional<SubnetLease> kept = reuse(l, attrs);
                    if (kept.isPresent()) return kept.get();
                    continue;
                }
                store.txn(Txn.when(Compare.modRevisionIs(keyOf(l.subnet()), l.modRevision()), Op.delete(keyOf(l.subnet()))));
                continue;
            }
            IpPrefix pick = choose(cfg, all, previous);
            Lease lease = store.grantLease(ttl);
            var r = store.txn(Txn.when(Compare.absent(keyOf(pick)), Op.put(keyOf(pick), attrs.toJson(), lease.id())));
            if (r.succeeded()) return new SubnetLease(pick, attrs, lease.id(), r.revision());
            store.revokeLease(lease.id());
        }
        throw new IOException("could not acquire a subnet: lost " + RACE_RETRIES + " races to other nodes");
    }

    private Optional<SubnetLease> reuse(SubnetLease l, LeaseAttrs attrs) throws DatastoreException {
        long leaseId = l.leaseId();
        if (leaseId != 0) {
            try {
                store.keepAlive(leaseId);
            } catch (LeaseNotFoundException e) {
                leaseId = store.grantLease(ttl).id();
            }
        }
        var r = store.txn(Txn.when(Compare.modRevisionIs(keyOf(l.subnet()), l.modRevision()),
                Op.put(keyOf(l.subnet()), attrs.toJson(), leaseId)));
        return r.succeeded() ? Optional.of(new SubnetLease(l.subnet(), attrs, leaseId, r.revision())) : Optional.empty();
    }

    private IpPrefix choose(NetworkConfig cfg, List<SubnetLease> taken, Optional<IpPrefix> previous) throws SubnetExhaustedException {
        if (previous.isPresent() && isFree(cfg, previous.get(), taken)) return previous.get();
        List<IpPrefix> free = new ArrayList<>();
        IpPrefix s = cfg.subnetMin();
        long step = 1L << (32 - cfg.subnetLen());
        while (free.size() < RANDOM_POOL) {
            if (isFree(cfg, s, taken)) free.add(s);
            if (s.equals(cfg.subnetMax())) break;
            s = new IpPrefix(s.address().add(step), cfg.subnetLen());
        }
        if (free.isEmpty()) {
            throw new SubnetExhaustedException("out of subnets: all " + cfg.subnetCount() + " /" + cfg.subnetLen() + " subnets of "
                    + cfg.network() + " between SubnetMin " + cfg.subnetMin().address() + " and SubnetMax "
                    + cfg.subnetMax().address() + " are leased");
        }
        return free.get(random.nextInt(free.size()));
    }

    private static boolean isFree(NetworkConfig cfg, IpPrefix s, List<SubnetLease> taken) {
        if (s.length() != cfg.subnetLen() || !cfg.network().contains(s)) return false;
        if (s.compareTo(cfg.subnetMin()) < 0 || s.compareTo(cfg.subnetMax()) > 0) return false;
        return taken.stream().noneMatch(l -> l.subnet().overlaps(s));
    }

    /**
     * Renews a lease (keep-alive of its datastore lease). If the datastore lost the lease, the key is gone:
     * the node re-acquires, preferring the same subnet.
     */
    public SubnetLease renew(SubnetLease l) throws IOException {
        if (l.leaseId() == 0) return l;
        try {
            store.keepAlive(l.leaseId());
            return l;
        } catch (LeaseNotFoundException e) {
            return acquire(l.attrs(), Optional.of(l.subnet()));
        }
    }

    /** Gives the subnet back: revokes its lease (deleting the key), or deletes a reservation's key. */
    public void release(SubnetLease l) throws DatastoreException {
        if (l.leaseId() != 0) {
            try {
                store.revokeLease(l.leaseId());
                return;
            } catch (LeaseNotFoundException e) {
                // already expired
            }
        }
        store.delete(keyOf(l.subnet()));
    }

    /** A lease for {@code subnet} that never expires (flannel's reservation: a key without a lease). */
    public void reserve(IpPrefix subnet, IpAddress publicIp) throws DatastoreException {
        store.put(keyOf(subnet), new LeaseAttrs(publicIp, "", Optional.empty(), 0).toJson());
    }

    public Datastore store() { return store; }

}
