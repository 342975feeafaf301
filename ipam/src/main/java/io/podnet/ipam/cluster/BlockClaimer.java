package io.podnet.ipam.cluster;

import io.podnet.calico.IpPool;
import io.podnet.datastore.Compare;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.Op;
import io.podnet.datastore.Txn;
import io.podnet.datastore.TxnResult;
import io.podnet.net.IpPrefix;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Claims a free block for a node with Calico's two-phase affinity:
 * <pre>
 *   txn 1: affinity absent           → put affinity {"state":"pending"}
 *   txn 2: block absent, affinity rev → put block {affinity: host:node}, put affinity {"state":"confirmed"}
 *   txn 2 lost (someone created the block): delete our pending affinity (CAS), try the next block
 * </pre>
 * A crash between the two leaves a pending affinity without a block: it counts as absent, the node completes it on
 * its next claim, and GC deletes it once it has been pending longer than the grace period. Candidates are walked from
 * an offset derived from the node name so that nodes claiming at once rarely want the same block.
 */
final class BlockClaimer {
    private final IpamReader reader;
    private final Datastore ds;
    private final IpamKeys keys;

    BlockClaimer(IpamReader reader, InstantSource clock) {
        this.reader = reader;
        this.ds = reader.datastore();
        this.keys = reader.keys();
    }

    /** Claims one free block of the pools (in order) for {@code node}. */
    Optional<IpPrefix> claim(String node, List<IpPool> pools) throws DatastoreException {
        if (pools.isEmpty()) return Optional.empty();
        Set<IpPrefix> existing = new HashSet<>();
        for (Versioned<AllocationBlock> b : reader.blocks(pools.getFirst().cidr().family())) existing.add(b.value().prefix());
        // our own pending claims first (a crash between the two transactions)
        for (Versioned<BlockAffinity> a : reader.affinities(node, pools.getFirst().cidr().family())) {
            IpPrefix cidr = IpamKeys.cidrOf(a.key());
            if (a.value().state() == BlockAffinity.State.PENDING && !existing.contains(cidr)
                    && PoolChoice.poolOf(cidr, pools).isPresent() && complete(node, cidr, a.modRevision())) {
                return Optional.of(cidr);
            }
        }
        for (IpPool pool : pools) {
            long n = blockCount(pool);
            int inPool = 0;
            for (IpPrefix e : existing) if (pool.cidr().contains(e)) inPool++;
            long offset = Math.floorMod((long) node.hashCode() * 0x9E3779B97F4A7C15L, n);
            long limit = Math.min(n, inPool + 64L);
            for (long i = 0, tried = 0; i < n && tried < limit; i++) {
                IpPrefix cidr = pool.cidr().subnet(pool.blockSize(), (offset + i) % n);
                if (existing.contains(cidr)) continue;
                tried++;
                if (claimSpecific(node, cidr)) return Optional.of(cidr);
            }
        }
        return Optional.empty();
    }

    static long blockCount(IpPool pool) {
        int bits = pool.blockSize() - pool.cidr().length();
        return bits >= 62 ? 1L << 62 : 1L << bits;
    }

    /** Claims {@code cidr} for {@code node}; true if the block now exists affine to it. */
    boolean claimSpecific(String node, IpPrefix cidr) throws DatastoreException {
        String aff = keys.affinity(node, cidr);
        Optional<Versioned<BlockAffinity>> cur = reader.affinity(node, cidr);
        long rev;
        if (cur.isPresent()) {
            if (cur.get().value().state() == BlockAffinity.State.CONFIRMED) {
                return reader.block(cidr).flatMap(b -> b.value().host()).map(node::equals).orElse(false);
            }
            rev = cur.get().modRevision();
        } else {
            TxnResult t = ds.txn(Txn.when(Compare.absent(aff), Op.put(aff, IpamJson.encode(BlockAffinity.PENDING))));
            if (!t.succeeded()) return false; // another process of this node is claiming it
            rev = t.revision();
        }
        return complete(node, cidr, rev);
    }

    /** Phase two: create the block and confirm the pending affinity at {@code affRev}, or withdraw it. */
    private boolean complete(String node, IpPrefix cidr, long affRev) throws DatastoreException {
        String aff = keys.affinity(node, cidr);
        String blockKey = keys.block(cidr);
        TxnResult t = ds.txn(Txn.when(List.of(Compare.absent(blockKey), Compare.modRevisionIs(aff, affRev)),
                List.of(Op.put(blockKey, IpamJson.encode(AllocationBlock.empty(cidr, node))),
                        Op.put(aff, IpamJson.encode(BlockAffinity.CONFIRMED)))));
        if (t.succeeded()) return true;
        Optional<Versioned<AllocationBlock>> b = reader.block(cidr);
        if (b.isPresent() && b.get().value().host().equals(Optional.of(node))) {
            // a sibling process of this node created it: make sure the affinity is confirmed
            ds.txn(Txn.when(Compare.modRevisionIs(aff, affRev), Op.put(aff, IpamJson.encode(BlockAffinity.CONFIRMED))));
            return reader.affinity(node, cidr).map(a -> a.value().state() == BlockAffinity.State.CONFIRMED).orElse(false);
        }
        ds.txn(Txn.when(Compare.modRevisionIs(aff, affRev), Op.delete(aff)));
        return false;
    }
}
