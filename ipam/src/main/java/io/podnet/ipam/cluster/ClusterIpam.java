package io.podnet.ipam.cluster;

import io.podnet.calico.IpPool;
import io.podnet.calico.IpamConfiguration;
import io.podnet.calico.Node;
import io.podnet.datastore.Compare;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Op;
import io.podnet.datastore.Txn;
import io.podnet.ipam.IpamException;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calico's block IPAM ({@code libcalico-go/lib/ipam/ipam.go}) over the {@link Datastore}: addresses come from blocks
 * that are affine to one node, so almost every allocation is one compare-and-swap on a block the node owns.
 *
 * <pre>
 *  autoAssign(handle, node, n4, n6, pools?)
 *    pools = requested (names or CIDRs) | enabled pools whose nodeSelector matches the node's labels
 *    1. affine blocks (cached) with room ──txn{block rev, handle rev: put block, put handle}──► done
 *    2. claim a free block: txn{affinity absent: put pending}; txn{block absent, affinity rev: put block, confirm}
 *       (unless maxBlocksPerHost reached or autoAllocateBlocks is off), then 1. on it
 *    3. strictAffinity=false: borrow from any block of the pools (random order seeded by the node name)
 *    4. exhausted: IpamException EXHAUSTED naming the pools
 * </pre>
 *
 * Every write is one etcd transaction that also updates the handle, so a block and its handles never disagree, and
 * a crash or an outage leaves either the whole allocation or none of it. Conflicts are retried up to
 * {@value #RETRIES} times (Calico's {@code datastoreRetries}). Blocks are cached; a stale cache only costs a failed
 * compare and a re-read. Release is by handle or by address (optionally with the allocation's sequence number, so a
 * stale release cannot free a reused address); a release by handle of this instance's own allocation trusts the
 * handle and block it wrote (one transaction, no read; the compares catch anyone else's change).
 *
 * <p>Just over 500 lines: allocation and release share the block and handle caches and the CAS loops that keep them
 * honest; splitting them would expose the caches.
 */
public final class ClusterIpam {
    public static final int RETRIES = 100;
    private static final System.Logger LOG = System.getLogger(ClusterIpam.class.getName());

    private final IpamReader reader;
    private final Datastore ds;
    private final IpamKeys keys;
    private final InstantSource clock;
    private final Map<IpPrefix, Versioned<AllocationBlock>> blockCache = new ConcurrentHashMap<>();
    /** node|family → the node's confirmed blocks as last listed; validated by every CAS (a block gone or re-owned is dropped). */
    private final Map<String, List<IpPrefix>> affineCache = new ConcurrentHashMap<>();
    /** Handles as this instance last wrote them, so that a release by handle after our own allocation needs no read. */
    private final Map<String, Versioned<IpamHandle>> handleCache = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_HANDLES = 65_536;
    private final Duration ttl;
    private volatile Timed<IpamConfiguration> config;
    private volatile Timed<List<IpPool>> pools;
    private final Map<String, Timed<Map<String, String>>> labels = new ConcurrentHashMap<>();

    private record Timed<T>(T value, Instant at) {}

    /** No caching of pools, configuration and node labels: every allocation reads them (tests, the CLI). */
    public ClusterIpam(IpamReader reader, InstantSource clock) {
        this(reader, clock, Duration.ZERO);
    }

    /**
     * @param resourceTtl how long pools, the IPAM configuration and node labels are reused before they are read again
     *                    (the agent uses a few seconds: a pool change takes effect that much later, as in Calico)
     */
    public ClusterIpam(IpamReader reader, InstantSource clock, Duration resourceTtl) {
        this.reader = reader;
        this.ds = reader.datastore();
        this.keys = reader.keys();
        this.clock = clock;
        this.ttl = resourceTtl;
    }

    private boolean fresh(Timed<?> t) {
        return t != null && !ttl.isZero() && clock.instant().isBefore(t.at().plus(ttl));
    }

    IpamConfiguration config() throws DatastoreException {
        Timed<IpamConfiguration> c = config;
        if (fresh(c)) return c.value();
        IpamConfiguration v = reader.config();
        config = new Timed<>(v, clock.instant());
        return v;
    }

    List<IpPool> pools() throws DatastoreException {
        Timed<List<IpPool>> p = pools;
        if (fresh(p)) return p.value();
        List<IpPool> v = reader.pools();
        pools = new Timed<>(v, clock.instant());
        return v;
    }

    private Map<String, String> labelsOf(String node) throws DatastoreException {
        Timed<Map<String, String>> l = labels.get(node);
        if (fresh(l)) return l.value();
        Map<String, String> v = reader.node(node).map(Node::labels).orElse(Map.of());
        labels.put(node, new Timed<>(v, clock.instant()));
        return v;
    }

    public IpamReader reader() { return reader; }

    /**
     * What to allocate.
     *
     * @param handleId Calico's handle ({@code k8s-pod-network.<containerID>})
     * @param node     the node that allocates (affinity, labels)
     * @param attrs    owner attributes ({@code pod}, {@code namespace}, {@code node}, {@code timestamp})
     * @param num4     IPv4 addresses wanted
     * @param num6     IPv6 addresses wanted
     * @param v4Pools  pool names or CIDRs to use instead of the node's pools (CNI {@code ipv4_pools})
     * @param v6Pools  the same for IPv6
     * @param freshHandle refuse if the handle already holds addresses (a CNI ADD for a container that has them);
     *                 checked by the allocation's own compare, so it costs no extra read
     */
    public record AssignRequest(String handleId, String node, Map<String, String> attrs, int num4, int num6,
                                List<String> v4Pools, List<String> v6Pools, boolean freshHandle) {
        public AssignRequest {
            attrs = Map.copyOf(attrs);
            v4Pools = List.copyOf(v4Pools);
            v6Pools = List.copyOf(v6Pools);
        }

        /** A request that may add to an existing handle. */
        public AssignRequest(String handleId, String node, Map<String, String> attrs, int num4, int num6,
                             List<String> v4Pools, List<String> v6Pools) {
            this(handleId, node, attrs, num4, num6, v4Pools, v6Pools, false);
        }

        /** The same request, refused ({@link IpamException.Reason#DUPLICATE}) if the handle already holds addresses. */
        public AssignRequest requireFreshHandle() {
            return new AssignRequest(handleId, node, attrs, num4, num6, v4Pools, v6Pools, true);
        }
    }

    /**
     * Writes that belong with a completed allocation (e.g. the WorkloadEndpoint that records the workload holding it):
     * added to the transaction that assigns the request's last address, so the allocation and these land together or
     * not at all.
     */
    @FunctionalInterface
    public interface CompletionWrites {
        CompletionWrites NONE = ips -> List.of();

        List<Op> ops(List<IpAddress> allAddresses);
    }

    /** One address handed out, with its block and pool; {@code borrowed} when the block is another node's. */
    public record Assignment(IpAddress ip, IpPrefix block, IpPool pool, boolean borrowed) {}

    /** Allocates {@code num4} + {@code num6} addresses for one handle, all or nothing. */
    public List<Assignment> autoAssign(AssignRequest r) throws DatastoreException, IpamException {
        return autoAssign(r, CompletionWrites.NONE);
    }

    /** The request's state across families: what earlier families got, and what goes with the last write. */
    private record Ctx(List<Assignment> earlier, int total, CompletionWrites writes) {}

    /** As {@link #autoAssign(AssignRequest)}, with {@code writes} in the transaction that completes it. */
    public List<Assignment> autoAssign(AssignRequest r, CompletionWrites writes) throws DatastoreException, IpamException {
        IpamConfiguration cfg = config();
        List<IpPool> all = pools();
        Map<String, String> labels = labelsOf(r.node());
        List<Assignment> out = new ArrayList<>();
        try {
            Ctx ctx = new Ctx(out, r.num4() + r.num6(), writes);
            if (r.num4() > 0) out.addAll(assignFamily(r, IpFamily.V4, r.num4(), PoolChoice.choose(all, IpFamily.V4, r.v4Pools(), labels, r.node()), cfg, ctx));
            if (r.num6() > 0) out.addAll(assignFamily(r, IpFamily.V6, r.num6(), PoolChoice.choose(all, IpFamily.V6, r.v6Pools(), labels, r.node()), cfg, ctx));
            return out;
        } catch (IpamException | DatastoreException | RuntimeException e) {
            if (!out.isEmpty()) undo(r.handleId(), out, e);
            throw e;
        }
    }

    private void undo(String handleId, List<Assignment> done, Exception cause) {
        try {
            List<IpRelease> rel = new ArrayList<>();
            for (Assignment a : done) rel.add(new IpRelease(a.ip(), Optional.empty(), Optional.of(handleId)));
            releaseIps(rel);
        } catch (DatastoreException e) {
            cause.addSuppressed(e); // left for GC: the handle still names them
        }
    }

    private List<Assignment> assignFamily(AssignRequest r, IpFamily f, int n, List<IpPool> pools, IpamConfiguration cfg, Ctx ctx)
            throws DatastoreException, IpamException {
        List<Assignment> got = new ArrayList<>();
        HandleState handle = new HandleState(r.handleId());
        // 1. the node's own blocks: as cached, then as listed now
        String ak = r.node() + "|" + f;
        List<IpPrefix> tried = new ArrayList<>();
        for (IpPrefix cidr : affineCache.getOrDefault(ak, List.of())) {
            if (got.size() == n) return got;
            if (PoolChoice.poolOf(cidr, pools).isEmpty()) continue;
            tried.add(cidr);
            assignFrom(cidr, n - got.size(), r, handle, pools, got, true, cfg, ctx);
        }
        if (got.size() == n) return got;
        List<IpPrefix> listed = affineBlocks(r.node(), f, pools);
        affineCache.put(ak, listed);
        for (IpPrefix cidr : listed) {
            if (got.size() == n) return got;
            if (!tried.contains(cidr)) assignFrom(cidr, n - got.size(), r, handle, pools, got, true, cfg, ctx);
        }
        // 2. new blocks
        while (got.size() < n && cfg.autoAllocateBlocks()) {
            if (cfg.maxBlocksPerHost() > 0 && confirmedCount(r.node(), f) >= cfg.maxBlocksPerHost()) break;
            Optional<IpPrefix> claimed = new BlockClaimer(reader, clock).claim(r.node(), pools);
            if (claimed.isEmpty()) break;
            List<IpPrefix> mine = new ArrayList<>(affineCache.getOrDefault(ak, List.of()));
            mine.add(claimed.get());
            affineCache.put(ak, mine);
            assignFrom(claimed.get(), n - got.size(), r, handle, pools, got, true, cfg, ctx);
        }
        // 3. borrow
        if (got.size() < n && !cfg.strictAffinity()) {
            List<Versioned<AllocationBlock>> blocks = new ArrayList<>();
            for (Versioned<AllocationBlock> b : reader.blocks(f)) {
                if (PoolChoice.poolOf(b.value().prefix(), pools).isPresent() && b.value().freeCount() > 0) blocks.add(b);
            }
            java.util.Collections.shuffle(blocks, new java.util.Random(r.node().hashCode()));
            for (Versioned<AllocationBlock> b : blocks) {
                if (got.size() == n) break;
                blockCache.put(b.value().prefix(), b);
                assignFrom(b.value().prefix(), n - got.size(), r, handle, pools, got, false, cfg, ctx);
            }
        }
        if (got.size() < n) {
            throw new IpamException(IpamException.Reason.EXHAUSTED, "no IPv" + (f == IpFamily.V4 ? 4 : 6)
                    + " addresses available for node " + r.node() + " in pools " + PoolChoice.describe(pools)
                    + (cfg.strictAffinity() ? " (strictAffinity: no borrowing)" : ""));
        }
        return got;
    }

    /** Confirmed affinities of the node in the pools, cached blocks' ones first. */
    private List<IpPrefix> affineBlocks(String node, IpFamily f, List<IpPool> pools) throws DatastoreException {
        List<IpPrefix> out = new ArrayList<>();
        for (Versioned<BlockAffinity> a : reader.affinities(node, f)) {
            IpPrefix cidr = IpamKeys.cidrOf(a.key());
            if (a.value().state() == BlockAffinity.State.CONFIRMED && PoolChoice.poolOf(cidr, pools).isPresent()) out.add(cidr);
        }
        out.sort(null);
        return out;
    }

    private int confirmedCount(String node, IpFamily f) throws DatastoreException {
        int c = 0;
        for (Versioned<BlockAffinity> a : reader.affinities(node, f)) if (a.value().state() == BlockAffinity.State.CONFIRMED) c++;
        return c;
    }

    /** The handle as this request last saw it (absent until read). */
    private final class HandleState {
        final String id;
        IpamHandle value = IpamHandle.EMPTY;
        long rev; // 0 = believed absent: the first write of a fresh handle needs no read

        HandleState(String id) { this.id = id; }

        void reload() throws DatastoreException {
            Optional<Versioned<IpamHandle>> h = reader.handle(id);
            value = h.map(Versioned::value).orElse(IpamHandle.EMPTY);
            rev = h.map(Versioned::modRevision).orElse(0L);
        }
    }

    /**
     * Takes up to {@code n} addresses from one block with CAS retries; adds them to {@code got}. With
     * {@code mustBeAffine} the block must still be this node's.
     */
    private void assignFrom(IpPrefix cidr, int n, AssignRequest r, HandleState h, List<IpPool> pools,
                            List<Assignment> got, boolean mustBeAffine, IpamConfiguration cfg, Ctx ctx) throws DatastoreException, IpamException {
        IpPool pool = PoolChoice.poolOf(cidr, pools).orElseThrow();
        for (int attempt = 0; attempt < RETRIES; attempt++) {
            Versioned<AllocationBlock> v = cached(cidr);
            if (v == null || mustBeAffine && !v.value().host().equals(Optional.of(r.node()))) {
                if (mustBeAffine) affineCache.computeIfPresent(r.node() + "|" + cidr.family(), (k, l) -> l.stream().filter(c -> !c.equals(cidr)).toList());
                return;
            }
            AllocationBlock b = v.value();
            b = b.reclaimCooled(clock.instant(), cfg.ipCooldownSeconds());
            if (b.freeCount() == 0) return;
            AllocationBlock.Assigned a = b.assign(n, r.handleId(), r.attrs());
            IpamHandle nh = h.value.add(b.cidr(), a.ips().size());
            List<Op> ops = new ArrayList<>(List.of(Op.put(v.key(), IpamJson.encode(a.block())), Op.put(keys.handle(h.id), IpamJson.encode(nh))));
            if (ctx.earlier().size() + got.size() + a.ips().size() == ctx.total()) {
                List<IpAddress> all = new ArrayList<>();
                ctx.earlier().forEach(x -> all.add(x.ip()));
                got.forEach(x -> all.add(x.ip()));
                all.addAll(a.ips());
                ops.addAll(ctx.writes().ops(all));
            }
            var t = ds.txn(Txn.when(List.of(Compare.modRevisionIs(v.key(), v.modRevision()), Compare.modRevisionIs(keys.handle(h.id), h.rev)), ops));
            if (t.succeeded()) {
                blockCache.put(cidr, new Versioned<>(v.key(), a.block(), t.revision()));
                h.value = nh;
                h.rev = t.revision();
                remember(h.id, nh, t.revision());
                for (IpAddress ip : a.ips()) got.add(new Assignment(ip, cidr, pool, !a.block().host().equals(Optional.of(r.node()))));
                return;
            }
            blockCache.remove(cidr);
            boolean ours = h.rev != 0;
            h.reload();
            if (r.freshHandle() && !ours && ctx.earlier().isEmpty() && got.isEmpty() && !h.value.isEmpty()) {
                throw new IpamException(IpamException.Reason.DUPLICATE, "handle " + h.id + " already holds addresses " + h.value.block());
            }
        }
        LOG.log(System.Logger.Level.WARNING, "block " + cidr + ": gave up after " + RETRIES + " conflicting writes");
    }

    private void remember(String handleId, IpamHandle h, long revision) {
        if (handleCache.size() >= MAX_CACHED_HANDLES) handleCache.clear(); // handles released by others (GC, CLI) pile up
        handleCache.put(handleId, new Versioned<>(keys.handle(handleId), h, revision));
    }

    private Versioned<AllocationBlock> cached(IpPrefix cidr) throws DatastoreException {
        Versioned<AllocationBlock> v = blockCache.get(cidr);
        if (v != null) return v;
        Optional<Versioned<AllocationBlock>> read = reader.block(cidr);
        read.ifPresent(b -> blockCache.put(cidr, b));
        return read.orElse(null);
    }

    /**
     * Assigns the requested address {@code ip} (CNI {@code ips}, {@code IP=}) from whichever pool holds it; its block
     * is claimed for the node first if nobody has it. {@link IpamException.Reason#REQUESTED_UNAVAILABLE} if taken.
     */
    public Assignment assignIp(IpAddress ip, String handleId, String node, Map<String, String> attrs)
            throws DatastoreException, IpamException {
        return assignIp(ip, handleId, node, attrs, List.of());
    }

    /** As {@link #assignIp(IpAddress, String, String, Map)}, with {@code extra} writes in the same transaction. */
    public Assignment assignIp(IpAddress ip, String handleId, String node, Map<String, String> attrs, List<Op> extra)
            throws DatastoreException, IpamException {
        IpPool pool = PoolChoice.poolOf(ip, pools()).orElseThrow(() -> new IpamException(
                IpamException.Reason.REQUESTED_UNAVAILABLE, "requested IP " + ip + " is in no IP pool"));
        IpPrefix cidr = IpPrefix.of(ip, pool.blockSize());
        HandleState h = new HandleState(handleId);
        h.reload();
        for (int attempt = 0; attempt < RETRIES; attempt++) {
            Versioned<AllocationBlock> v = cached(cidr);
            if (v == null) {
                new BlockClaimer(reader, clock).claimSpecific(node, cidr);
                continue;
            }
            AllocationBlock base = v.value().reclaimCooled(clock.instant(), config().ipCooldownSeconds());
            Optional<AllocationBlock> nb = base.assign(ip, handleId, attrs);
            if (nb.isEmpty()) {
                blockCache.remove(cidr);
                Optional<Versioned<AllocationBlock>> fresh = reader.block(cidr);
                if (fresh.isPresent() && fresh.get().modRevision() != v.modRevision()) continue;
                throw new IpamException(IpamException.Reason.REQUESTED_UNAVAILABLE, "requested IP " + ip + " is already allocated"
                        + base.attributeOf(base.ordinalOf(ip)).map(a -> " to handle " + a.handleId()).orElse(""));
            }
            IpamHandle nh = h.value.add(base.cidr(), 1);
            List<Op> ops = new ArrayList<>(List.of(Op.put(v.key(), IpamJson.encode(nb.get())), Op.put(keys.handle(handleId), IpamJson.encode(nh))));
            ops.addAll(extra);
            var t = ds.txn(Txn.when(List.of(Compare.modRevisionIs(v.key(), v.modRevision()), Compare.modRevisionIs(keys.handle(handleId), h.rev)), ops));
            if (t.succeeded()) {
                blockCache.put(cidr, new Versioned<>(v.key(), nb.get(), t.revision()));
                remember(handleId, nh, t.revision());
                return new Assignment(ip, cidr, pool, !nb.get().host().equals(Optional.of(node)));
            }
            blockCache.remove(cidr);
            h.reload();
        }
        throw new DatastoreException("requested IP " + ip + ": gave up after " + RETRIES + " conflicting writes");
    }

    /** One address to release; with a sequence number or handle, only if the allocation still matches them. */
    public record IpRelease(IpAddress ip, Optional<Long> sequenceNumber, Optional<String> handleId) {
        public static IpRelease of(IpAddress ip) { return new IpRelease(ip, Optional.empty(), Optional.empty()); }
    }

    /** Releases every address of a handle and deletes the handle. Idempotent: returns what it freed. */
    public List<IpAddress> releaseByHandle(String handleId) throws DatastoreException {
        return releaseByHandle(handleId, List.of());
    }

    /**
     * As {@link #releaseByHandle(String)}, with {@code extra} writes (e.g. deleting the WorkloadEndpoint) in the first
     * transaction, or on their own if the handle holds nothing.
     */
    public List<IpAddress> releaseByHandle(String handleId, List<Op> extra) throws DatastoreException {
        List<IpAddress> freed = new ArrayList<>();
        List<Op> pending = new ArrayList<>(extra);
        // what this instance wrote last (the DEL of its own ADD): trusted for one transaction, whose compares check it
        Versioned<IpamHandle> known = handleCache.remove(handleId);
        for (int attempt = 0; attempt < RETRIES; attempt++) {
            Optional<Versioned<IpamHandle>> h = known != null ? Optional.of(known) : reader.handle(handleId);
            boolean trusted = known != null;
            known = null;
            if (h.isEmpty()) {
                if (!pending.isEmpty()) ds.txn(Txn.batch(pending));
                return freed;
            }
            if (h.get().value().isEmpty()) {
                if (ds.txn(Txn.when(Compare.modRevisionIs(h.get().key(), h.get().modRevision()), Op.delete(h.get().key()))).succeeded()) return freed;
                continue;
            }
            String cidrText = h.get().value().block().keySet().iterator().next();
            IpPrefix cidr = IpPrefix.parse(cidrText);
            Versioned<AllocationBlock> cachedBlock = trusted ? blockCache.get(cidr) : null;
            Optional<Versioned<AllocationBlock>> vb = cachedBlock != null ? Optional.of(cachedBlock) : reader.block(cidr);
            List<Integer> ords = vb.map(b -> b.value().ordinalsOf(handleId)).orElse(List.of());
            IpamHandle nh = h.get().value().add(cidrText, -h.get().value().block().get(cidrText));
            List<Compare> cmp = new ArrayList<>(List.of(Compare.modRevisionIs(h.get().key(), h.get().modRevision())));
            List<Op> ops = new ArrayList<>(pending);
            ops.add(nh.isEmpty() ? Op.delete(h.get().key()) : Op.put(h.get().key(), IpamJson.encode(nh)));
            AllocationBlock nb = null;
            if (vb.isPresent()) {
                cmp.add(Compare.modRevisionIs(vb.get().key(), vb.get().modRevision()));
                if (!ords.isEmpty()) {
                    nb = vb.get().value().release(ords, cooldown());
                    ops.add(Op.put(vb.get().key(), IpamJson.encode(nb)));
                }
            }
            var t = ds.txn(Txn.when(cmp, ops));
            if (!t.succeeded()) {
                blockCache.remove(cidr);
                continue;
            }
            if (nb != null) blockCache.put(cidr, new Versioned<>(vb.get().key(), nb, t.revision()));
            for (int o : ords) freed.add(vb.get().value().ipOf(o));
            pending.clear();
            if (nh.isEmpty()) return freed; // the handle went in this transaction
            known = new Versioned<>(h.get().key(), nh, t.revision());
        }
        throw new DatastoreException("release of handle " + handleId + ": gave up after " + RETRIES + " conflicting writes");
    }

    private Optional<java.time.Instant> cooldown() throws DatastoreException {
        return config().ipCooldownSeconds() > 0 ? Optional.of(clock.instant()) : Optional.empty();
    }

    /** Releases addresses; returns those actually freed (not allocated, or a mismatching sequence/handle: skipped). */
    public List<IpAddress> releaseIps(List<IpRelease> ips) throws DatastoreException {
        List<IpAddress> freed = new ArrayList<>();
        for (IpRelease rel : ips) {
            if (releaseIp(rel)) freed.add(rel.ip());
        }
        return freed;
    }

    private boolean releaseIp(IpRelease rel) throws DatastoreException {
        for (int attempt = 0; attempt < RETRIES; attempt++) {
            Optional<Versioned<AllocationBlock>> vb = blockOf(rel.ip());
            if (vb.isEmpty()) return false;
            AllocationBlock b = vb.get().value();
            int ord = b.ordinalOf(rel.ip());
            Optional<AllocationBlock.Attribute> at = b.attributeOf(ord);
            if (at.isEmpty() || at.get().cooling()) return false;
            if (rel.sequenceNumber().isPresent() && rel.sequenceNumber().get() != b.sequenceOf(ord)) return false;
            if (rel.handleId().isPresent() && !rel.handleId().get().equals(at.get().handleId())) return false;
            List<Compare> cmp = new ArrayList<>(List.of(Compare.modRevisionIs(vb.get().key(), vb.get().modRevision())));
            List<Op> ops = new ArrayList<>(List.of(Op.put(vb.get().key(), IpamJson.encode(b.release(List.of(ord), cooldown())))));
            String hid = at.get().handleId();
            if (hid != null) {
                handleCache.remove(hid);
                Optional<Versioned<IpamHandle>> h = reader.handle(hid);
                cmp.add(Compare.modRevisionIs(keys.handle(hid), h.map(Versioned::modRevision).orElse(0L)));
                if (h.isPresent()) {
                    IpamHandle nh = h.get().value().add(b.cidr(), -1);
                    ops.add(nh.isEmpty() ? Op.delete(h.get().key()) : Op.put(h.get().key(), IpamJson.encode(nh)));
                }
            }
            blockCache.remove(b.prefix());
            if (ds.txn(Txn.when(cmp, ops)).succeeded()) return true;
        }
        throw new DatastoreException("release of " + rel.ip() + ": gave up after " + RETRIES + " conflicting writes");
    }

    /** The block holding {@code ip}: from the pools' block size, else by scanning the family's blocks. */
    public Optional<Versioned<AllocationBlock>> blockOf(IpAddress ip) throws DatastoreException {
        Optional<IpPool> pool = PoolChoice.poolOf(ip, pools());
        if (pool.isPresent()) {
            Optional<Versioned<AllocationBlock>> b = reader.block(IpPrefix.of(ip, pool.get().blockSize()));
            if (b.isPresent()) return b;
        }
        for (Versioned<AllocationBlock> b : reader.blocks(ip.family())) if (b.value().prefix().contains(ip)) return Optional.of(b);
        return Optional.empty();
    }

    /** Who holds an address ({@code podnet ipam show --ip}). */
    public record IpInfo(IpAddress ip, IpPrefix block, String handleId, Map<String, String> attributes, long sequenceNumber,
                         boolean cooling, Optional<String> blockAffinity) {}

    public Optional<IpInfo> allocation(IpAddress ip) throws DatastoreException {
        Optional<Versioned<AllocationBlock>> vb = blockOf(ip);
        if (vb.isEmpty()) return Optional.empty();
        AllocationBlock b = vb.get().value();
        int ord = b.ordinalOf(ip);
        return b.attributeOf(ord).map(a -> new IpInfo(ip, b.prefix(), a.handleId(), a.secondary(), b.sequenceOf(ord), a.cooling(),
                Optional.ofNullable(b.affinity())));
    }

}
