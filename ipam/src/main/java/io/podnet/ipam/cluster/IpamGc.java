package io.podnet.ipam.cluster;

import io.podnet.datastore.DatastoreException;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One node's IPAM garbage collector (the role of Calico kube-controllers' node controller), run every grace/2 or so
 * by the agent. Each pass reads the cluster's IPAM state and, never releasing what a live workload holds:
 * <pre>
 *   own leaks       allocations of this node whose workload is not live (WorkloadLiveness): released by handle,
 *                   all or none, once seen for the grace period and re-checked right before
 *   removed nodes   a node referenced by blocks/affinities/allocations with no Node resource for the grace period:
 *                   everything of it released cluster-wide (IpamMaintenance.releaseNode), after a re-check
 *   empty blocks    this node's blocks (and blocks without affinity) seen empty at the same revision on two
 *                   consecutive passes: released, but a node keeps at least one block
 *   pending claims  affinities pending at the same revision for the grace period: confirmed or deleted
 *   orphan handles  handles that no allocation names, unchanged for the grace period: deleted
 * </pre>
 * Time is the injected clock; state between passes is in memory (a restarted agent starts counting afresh).
 */
public final class IpamGc {
    private static final System.Logger LOG = System.getLogger(IpamGc.class.getName());
    private final ClusterIpam ipam;
    private final IpamReader reader;
    private final IpamMaintenance fix;
    private final String node;
    private final WorkloadLiveness liveness;
    private final Duration grace;
    private final InstantSource clock;

    private final Map<String, Instant> leakSince = new HashMap<>();
    private final Map<String, Instant> goneSince = new HashMap<>();
    private final Map<IpPrefix, Long> emptyAt = new HashMap<>();
    private final Map<String, Seen> pendingSeen = new HashMap<>();
    private final Map<String, Seen> orphanSeen = new HashMap<>();

    private record Seen(long revision, Instant since) {}

    /** What one pass released. */
    public record Result(List<String> leakedHandlesReleased, List<IpAddress> leakedAddresses, List<String> nodesReleased,
                         List<IpPrefix> emptyBlocksReleased, List<String> pendingAffinitiesResolved, List<String> orphanHandlesDeleted) {
        public boolean nothing() {
            return leakedHandlesReleased.isEmpty() && nodesReleased.isEmpty() && emptyBlocksReleased.isEmpty()
                    && pendingAffinitiesResolved.isEmpty() && orphanHandlesDeleted.isEmpty();
        }
    }

    public IpamGc(ClusterIpam ipam, String node, WorkloadLiveness liveness, Duration grace, InstantSource clock) {
        this.ipam = ipam;
        this.reader = ipam.reader();
        this.fix = new IpamMaintenance(reader);
        this.node = node;
        this.liveness = liveness;
        this.grace = grace;
        this.clock = clock;
    }

    /** One pass. */
    public Result runOnce() throws IOException {
        Instant now = clock.instant();
        List<Versioned<AllocationBlock>> blocks = reader.blocks(null);
        Set<String> nodes = new HashSet<>();
        reader.nodes().forEach(n -> nodes.add(n.name()));
        List<String> released = new ArrayList<>();
        List<IpAddress> leakedIps = new ArrayList<>();
        ownLeaks(blocks, now, released, leakedIps);
        List<String> nodesReleased = removedNodes(blocks, nodes, now);
        List<IpPrefix> emptied = emptyBlocks(blocks);
        List<String> resolved = pendingAffinities(now);
        List<String> orphans = orphanHandles(blocks, now);
        Result r = new Result(released, leakedIps, nodesReleased, emptied, resolved, orphans);
        if (!r.nothing()) LOG.log(System.Logger.Level.INFO, "ipam gc node=" + node + ": " + r);
        return r;
    }

    private void ownLeaks(List<Versioned<AllocationBlock>> blocks, Instant now, List<String> released, List<IpAddress> ips)
            throws IOException {
        WorkloadLiveness.View live = liveness.snapshot();
        Map<String, List<IpAddress>> notLive = new HashMap<>();
        Set<String> liveHandles = new HashSet<>();
        forEachOwnAllocation(blocks, (h, ip, attrs) -> {
            if (live.holds(h, ip, attrs)) liveHandles.add(h);
            else notLive.computeIfAbsent(h, k -> new ArrayList<>()).add(ip);
        });
        notLive.keySet().removeAll(liveHandles); // all or none per handle
        leakSince.keySet().retainAll(notLive.keySet());
        for (String h : notLive.keySet()) {
            Instant since = leakSince.computeIfAbsent(h, k -> now);
            if (Duration.between(since, now).compareTo(grace) < 0) continue;
            // the re-check: fresh state and a fresh look at the workloads, right before releasing
            WorkloadLiveness.View again = liveness.snapshot();
            List<Versioned<AllocationBlock>> fresh = reader.blocks(null);
            boolean[] nowLive = {false};
            forEachOwnAllocation(fresh, (hh, ip, attrs) -> {
                if (hh.equals(h) && again.holds(hh, ip, attrs)) nowLive[0] = true;
            });
            leakSince.remove(h);
            if (nowLive[0]) continue;
            List<IpAddress> freed = new ArrayList<>(ipam.releaseByHandle(h));
            for (Versioned<AllocationBlock> b : fresh) { // allocations naming a handle whose key is missing
                freed.addAll(fix.releaseWhere(b.value().prefix(), (o, a) -> h.equals(a.handleId()) && !a.cooling()));
            }
            fix.deleteEndpointsOf(node, notLive.get(h));
            ips.addAll(freed);
            released.add(h);
        }
    }

    private interface AllocationVisitor {
        void visit(String handle, IpAddress ip, Map<String, String> attrs);
    }

    private void forEachOwnAllocation(List<Versioned<AllocationBlock>> blocks, AllocationVisitor v) {
        for (Versioned<AllocationBlock> vb : blocks) {
            AllocationBlock b = vb.value();
            for (int o = 0; o < b.capacity(); o++) {
                Optional<AllocationBlock.Attribute> a = b.attributeOf(o);
                if (a.isEmpty() || a.get().cooling() || a.get().handleId() == null) continue;
                String owner = a.get().secondary().get("node");
                if (node.equals(owner) || owner == null && b.host().equals(Optional.of(node))) {
                    v.visit(a.get().handleId(), b.ipOf(o), a.get().secondary());
                }
            }
        }
    }

    private List<String> removedNodes(List<Versioned<AllocationBlock>> blocks, Set<String> nodes, Instant now) throws DatastoreException {
        Set<String> referenced = new HashSet<>();
        for (Versioned<AllocationBlock> vb : blocks) {
            vb.value().host().ifPresent(referenced::add);
            for (int o = 0; o < vb.value().capacity(); o++) {
                vb.value().attributeOf(o).map(a -> a.secondary().get("node")).ifPresent(referenced::add);
            }
        }
        for (Versioned<BlockAffinity> a : reader.allAffinities()) reader.keys().nodeOfAffinity(a.key()).ifPresent(referenced::add);
        referenced.removeAll(nodes);
        goneSince.keySet().retainAll(referenced);
        List<String> out = new ArrayList<>();
        for (String gone : referenced) {
            Instant since = goneSince.computeIfAbsent(gone, k -> now);
            if (Duration.between(since, now).compareTo(grace) < 0) continue;
            if (fix.nodeExists(gone)) { // re-check: it came back
                goneSince.remove(gone);
                continue;
            }
            var rel = fix.releaseNode(gone);
            LOG.log(System.Logger.Level.INFO, "ipam gc: node " + gone + " gone for " + grace + ": " + rel);
            goneSince.remove(gone);
            out.add(gone);
        }
        return out;
    }

    private List<IpPrefix> emptyBlocks(List<Versioned<AllocationBlock>> blocks) throws DatastoreException {
        int mine = 0;
        for (Versioned<AllocationBlock> vb : blocks) if (vb.value().host().equals(Optional.of(node))) mine++;
        Map<IpPrefix, Long> seenNow = new HashMap<>();
        List<IpPrefix> out = new ArrayList<>();
        for (Versioned<AllocationBlock> vb : blocks) {
            AllocationBlock b = vb.value();
            boolean ours = b.host().equals(Optional.of(node));
            if (!b.isEmpty() || !(ours || b.host().isEmpty())) continue;
            Long before = emptyAt.get(b.prefix());
            if (before != null && before == vb.modRevision() && (!ours || mine > 1)) {
                if (fix.releaseEmptyBlock(vb)) {
                    out.add(b.prefix());
                    if (ours) mine--;
                }
                continue;
            }
            seenNow.put(b.prefix(), vb.modRevision());
        }
        emptyAt.clear();
        emptyAt.putAll(seenNow);
        return out;
    }

    private List<String> pendingAffinities(Instant now) throws DatastoreException {
        Map<String, Seen> next = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (Versioned<BlockAffinity> a : reader.allAffinities()) {
            if (a.value().state() == BlockAffinity.State.CONFIRMED) continue;
            Seen s = pendingSeen.get(a.key());
            if (s == null || s.revision() != a.modRevision()) s = new Seen(a.modRevision(), now);
            if (Duration.between(s.since(), now).compareTo(grace) >= 0) {
                if (fix.resolvePending(a)) out.add(a.key());
                continue;
            }
            next.put(a.key(), s);
        }
        pendingSeen.clear();
        pendingSeen.putAll(next);
        return out;
    }

    private List<String> orphanHandles(List<Versioned<AllocationBlock>> blocks, Instant now) throws DatastoreException {
        Set<String> named = new HashSet<>();
        for (Versioned<AllocationBlock> vb : blocks) {
            for (int o = 0; o < vb.value().capacity(); o++) vb.value().attributeOf(o).filter(a -> !a.cooling()).map(AllocationBlock.Attribute::handleId).ifPresent(named::add);
        }
        Map<String, Seen> next = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (Versioned<IpamHandle> h : reader.handles()) {
            String id = reader.keys().handleIdOf(h.key());
            if (named.contains(id)) continue;
            Seen s = orphanSeen.get(id);
            if (s == null || s.revision() != h.modRevision()) s = new Seen(h.modRevision(), now);
            if (Duration.between(s.since(), now).compareTo(grace) >= 0) {
                if (fix.deleteHandle(h)) out.add(id);
                continue;
            }
            next.put(id, s);
        }
        orphanSeen.clear();
        orphanSeen.putAll(next);
        return out;
    }
}
