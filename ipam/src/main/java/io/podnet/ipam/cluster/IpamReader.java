package io.podnet.ipam.cluster;

import io.podnet.calico.IpPool;
import io.podnet.calico.IpamConfiguration;
import io.podnet.calico.Node;
import io.podnet.calico.ResourceStore;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Snapshot;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed reads of the IPAM keys and the resources IPAM consults (pools, config, nodes). */
public final class IpamReader {
    static final int PAGE = 500;
    private final Datastore ds;
    private final IpamKeys keys;
    private final ResourceStore resources;

    public IpamReader(Datastore ds, IpamKeys keys, ResourceStore resources) {
        this.ds = ds;
        this.keys = keys;
        this.resources = resources;
    }

    public IpamKeys keys() { return keys; }

    public ResourceStore resources() { return resources; }

    public Datastore datastore() { return ds; }

    public Optional<Versioned<AllocationBlock>> block(IpPrefix cidr) throws DatastoreException {
        String k = keys.block(cidr);
        return ds.get(k).map(kv -> new Versioned<>(k, IpamJson.decode(kv, AllocationBlock.class), kv.modRevision()));
    }

    /** Every block of a family (null = both), in key order. */
    public List<Versioned<AllocationBlock>> blocks(IpFamily family) throws DatastoreException {
        Snapshot s = ds.snapshot(family == null ? keys.assignmentRoot() : keys.blocks(family), PAGE);
        List<Versioned<AllocationBlock>> out = new ArrayList<>();
        for (KeyValue kv : s.kvs()) out.add(new Versioned<>(kv.key(), IpamJson.decode(kv, AllocationBlock.class), kv.modRevision()));
        return out;
    }

    public Optional<Versioned<BlockAffinity>> affinity(String node, IpPrefix cidr) throws DatastoreException {
        String k = keys.affinity(node, cidr);
        return ds.get(k).map(kv -> new Versioned<>(k, IpamJson.decode(kv, BlockAffinity.class), kv.modRevision()));
    }

    /** A node's affinities of one family (null = both). */
    public List<Versioned<BlockAffinity>> affinities(String node, IpFamily family) throws DatastoreException {
        return affinitiesUnder(family == null ? keys.affinities(node) : keys.affinities(node, family));
    }

    /** Every node's affinities. */
    public List<Versioned<BlockAffinity>> allAffinities() throws DatastoreException {
        return affinitiesUnder(keys.hostRoot());
    }

    private List<Versioned<BlockAffinity>> affinitiesUnder(String prefix) throws DatastoreException {
        List<Versioned<BlockAffinity>> out = new ArrayList<>();
        for (KeyValue kv : ds.snapshot(prefix, PAGE).kvs()) {
            if (keys.nodeOfAffinity(kv.key()).isEmpty()) continue; // IPAMHost and other non-affinity keys
            out.add(new Versioned<>(kv.key(), IpamJson.decode(kv, BlockAffinity.class), kv.modRevision()));
        }
        return out;
    }

    public Optional<Versioned<IpamHandle>> handle(String id) throws DatastoreException {
        String k = keys.handle(id);
        return ds.get(k).map(kv -> new Versioned<>(k, IpamJson.decode(kv, IpamHandle.class), kv.modRevision()));
    }

    public List<Versioned<IpamHandle>> handles() throws DatastoreException {
        List<Versioned<IpamHandle>> out = new ArrayList<>();
        for (KeyValue kv : ds.snapshot(keys.handles(), PAGE).kvs()) {
            out.add(new Versioned<>(kv.key(), IpamJson.decode(kv, IpamHandle.class), kv.modRevision()));
        }
        return out;
    }

    public List<IpPool> pools() throws DatastoreException {
        return resources.list(IpPool.KIND);
    }

    public IpamConfiguration config() throws DatastoreException {
        return resources.get(IpamConfiguration.KIND, IpamConfiguration.NAME).map(IpamConfiguration::validated)
                .orElse(IpamConfiguration.DEFAULT);
    }

    public Optional<Node> node(String name) throws DatastoreException {
        return resources.get(Node.KIND, name);
    }

    public List<Node> nodes() throws DatastoreException {
        return resources.list(Node.KIND);
    }
}
