package io.podnet.ipam.cluster;

import io.podnet.calico.Node;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.datastore.Compare;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Op;
import io.podnet.datastore.Txn;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The cluster-wide repairs GC, {@code podnet node delete} and {@code podnet ipam release} make. Each is a CAS
 * transaction on what the caller observed, so a repair based on a stale view does nothing rather than free
 * something a workload got meanwhile.
 */
public final class IpamMaintenance {
    private final IpamReader reader;
    private final Datastore ds;
    private final IpamKeys keys;

    public IpamMaintenance(IpamReader reader) {
        this.reader = reader;
        this.ds = reader.datastore();
        this.keys = reader.keys();
    }

    /**
     * Frees the ordinals of one block that {@code which} selects, updating their handles, in one transaction;
     * retried on conflict. Returns the freed addresses.
     */
    public List<IpAddress> releaseWhere(IpPrefix cidr, BiPredicate<Integer, AllocationBlock.Attribute> which) throws DatastoreException {
        for (int attempt = 0; attempt < ClusterIpam.RETRIES; attempt++) {
            Optional<Versioned<AllocationBlock>> vb = reader.block(cidr);
            if (vb.isEmpty()) return List.of();
            AllocationBlock b = vb.get().value();
            List<Integer> ords = new ArrayList<>();
            Map<String, Integer> perHandle = new HashMap<>();
            for (int o = 0; o < b.capacity(); o++) {
                Optional<AllocationBlock.Attribute> a = b.attributeOf(o);
                if (a.isPresent() && which.test(o, a.get())) {
                    ords.add(o);
                    if (a.get().handleId() != null && !a.get().cooling()) perHandle.merge(a.get().handleId(), 1, Integer::sum);
                }
            }
            if (ords.isEmpty()) return List.of();
            List<Compare> cmp = new ArrayList<>(List.of(Compare.modRevisionIs(vb.get().key(), vb.get().modRevision())));
            List<Op> ops = new ArrayList<>(List.of(Op.put(vb.get().key(), IpamJson.encode(b.release(ords, Optional.empty())))));
            for (var e : perHandle.entrySet()) {
                Optional<Versioned<IpamHandle>> h = reader.handle(e.getKey());
                cmp.add(Compare.modRevisionIs(keys.handle(e.getKey()), h.map(Versioned::modRevision).orElse(0L)));
                if (h.isPresent()) {
                    IpamHandle nh = h.get().value().add(b.cidr(), -e.getValue());
                    ops.add(nh.isEmpty() ? Op.delete(h.get().key()) : Op.put(h.get().key(), IpamJson.encode(nh)));
                }
            }
            if (ds.txn(Txn.when(cmp, ops)).succeeded()) {
                List<IpAddress> out = new ArrayList<>();
                for (int o : ords) out.add(b.ipOf(o));
                return out;
            }
        }
        throw new DatastoreException("block " + cidr + ": gave up after " + ClusterIpam.RETRIES + " conflicting writes");
    }

    /** What releasing a node did. */
    public record NodeRelease(String node, List<IpAddress> addresses, List<IpPrefix> blocksDeleted,
                              List<IpPrefix> blocksUnaffined, int affinitiesDeleted) {}

    /**
     * Releases everything of a node that is gone: its allocations in every block (its own and borrowed ones), its
     * empty blocks with their affinities; blocks still holding other nodes' addresses lose their affinity and stay
     * until they are empty. The Node resource itself is not touched (the caller deletes it first).
     */
    public NodeRelease releaseNode(String node) throws DatastoreException {
        List<IpAddress> freed = new ArrayList<>();
        List<IpPrefix> deleted = new ArrayList<>();
        List<IpPrefix> unaffined = new ArrayList<>();
        for (Versioned<AllocationBlock> vb : reader.blocks(null)) {
            IpPrefix cidr = vb.value().prefix();
            boolean owned = vb.value().host().equals(Optional.of(node));
            freed.addAll(releaseWhere(cidr, (o, a) -> node.equals(a.secondary().get("node"))
                    || owned && (a.cooling() || !a.secondary().containsKey("node"))));
            if (owned) {
                switch (dropBlockOf(node, cidr)) {
                    case DELETED -> deleted.add(cidr);
                    case UNAFFINED -> unaffined.add(cidr);
                    case GONE -> { }
                }
            }
        }
        int affs = 0;
        for (Versioned<BlockAffinity> a : reader.affinities(node, null)) {
            if (ds.txn(Txn.when(Compare.modRevisionIs(a.key(), a.modRevision()), Op.delete(a.key()))).succeeded()) affs++;
        }
        return new NodeRelease(node, freed, deleted, unaffined, affs);
    }

    private enum Dropped { DELETED, UNAFFINED, GONE }

    private Dropped dropBlockOf(String node, IpPrefix cidr) throws DatastoreException {
        String aff = keys.affinity(node, cidr);
        for (int attempt = 0; attempt < ClusterIpam.RETRIES; attempt++) {
            Optional<Versioned<AllocationBlock>> vb = reader.block(cidr);
            if (vb.isEmpty() || !vb.get().value().host().equals(Optional.of(node))) return Dropped.GONE;
            boolean empty = vb.get().value().isEmpty();
            List<Op> ops = empty ? List.of(Op.delete(vb.get().key()), Op.delete(aff))
                    : List.of(Op.put(vb.get().key(), IpamJson.encode(vb.get().value().withAffinity(null))), Op.delete(aff));
            if (ds.txn(Txn.when(List.of(Compare.modRevisionIs(vb.get().key(), vb.get().modRevision())), ops)).succeeded()) {
                return empty ? Dropped.DELETED : Dropped.UNAFFINED;
            }
        }
        throw new DatastoreException("block " + cidr + ": gave up after " + ClusterIpam.RETRIES + " conflicting writes");
    }

    /** Deletes an empty block (and its affinity) if it is still at the revision the caller saw empty. */
    public boolean releaseEmptyBlock(Versioned<AllocationBlock> seenEmpty) throws DatastoreException {
        AllocationBlock b = seenEmpty.value();
        if (!b.isEmpty()) throw new IllegalArgumentException("block " + b.cidr() + " is not empty");
        List<Op> ops = new ArrayList<>(List.of(Op.delete(seenEmpty.key())));
        b.host().ifPresent(h -> ops.add(Op.delete(keys.affinity(h, b.prefix()))));
        return ds.txn(Txn.when(List.of(Compare.modRevisionIs(seenEmpty.key(), seenEmpty.modRevision())), ops)).succeeded();
    }

    /**
     * Resolves an affinity left pending (a claim that crashed between its two transactions): confirmed if its block
     * exists affine to the node, deleted otherwise; only if still at the observed revision.
     */
    public boolean resolvePending(Versioned<BlockAffinity> seen) throws DatastoreException {
        String node = keys.nodeOfAffinity(seen.key()).orElseThrow();
        IpPrefix cidr = IpamKeys.cidrOf(seen.key());
        boolean blockIsOurs = reader.block(cidr).flatMap(b -> b.value().host()).map(node::equals).orElse(false);
        Op op = blockIsOurs ? Op.put(seen.key(), IpamJson.encode(BlockAffinity.CONFIRMED)) : Op.delete(seen.key());
        return ds.txn(Txn.when(Compare.modRevisionIs(seen.key(), seen.modRevision()), op)).succeeded();
    }

    /** Deletes a handle that no block references, if still at the observed revision. */
    public boolean deleteHandle(Versioned<IpamHandle> seen) throws DatastoreException {
        return ds.txn(Txn.when(Compare.modRevisionIs(seen.key(), seen.modRevision()), Op.delete(seen.key()))).succeeded();
    }

    /** Deletes this node's WorkloadEndpoints whose every address is in {@code released}. */
    public void deleteEndpointsOf(String node, List<IpAddress> released) throws DatastoreException {
        java.util.Set<String> gone = new java.util.HashSet<>();
        released.forEach(ip -> gone.add(ip.toString()));
        for (WorkloadEndpoint w : reader.resources().list(WorkloadEndpoint.KIND)) {
            if (!node.equals(w.spec().node()) || w.spec().ipNetworks().isEmpty()) continue;
            boolean all = w.spec().ipNetworks().stream().allMatch(n -> gone.contains(IpAddress.parse(n.contains("/") ? n.substring(0, n.indexOf('/')) : n).toString()));
            if (all) reader.resources().delete(WorkloadEndpoint.KIND, w.metadata().namespace(), w.name(), w.metadata().resourceVersion());
        }
    }

    /** Whether a Node resource exists. */
    public boolean nodeExists(String node) throws DatastoreException {
        return reader.resources().get(Node.KIND, node).isPresent();
    }
}
