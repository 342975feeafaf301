package io.podnet.ipam.cluster;

import io.podnet.calico.IpPool;
import io.podnet.calico.IpamConfiguration;
import io.podnet.calico.Kinds;
import io.podnet.calico.Node;
import io.podnet.calico.ObjectMeta;
import io.podnet.calico.ResourceStore;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.memory.MemoryDatastore;
import io.podnet.net.IpAddress;
import io.podnet.testkit.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An in-memory cluster: datastore, resources, one ClusterIpam per node. */
final class IpamFixture {
    final ManualClock clock = new ManualClock();
    final Datastore ds;
    final ResourceStore res;
    final IpamReader reader;

    IpamFixture() { this(null, "/t"); }

    IpamFixture(Datastore store, String prefix) {
        ds = store != null ? store : new MemoryDatastore(clock);
        res = new ResourceStore(ds, prefix, Kinds.IPAM, clock);
        reader = new IpamReader(ds, new IpamKeys(prefix), res);
    }

    ClusterIpam ipam() { return new ClusterIpam(reader, clock); }

    IpPool pool(String name, String cidr, int blockSize) throws Exception {
        return res.create(IpPool.of(name, IpPool.Spec.of(cidr).withBlockSize(blockSize)));
    }

    Node node(String name, Map<String, String> labels) throws Exception {
        return res.create(Node.of(name, labels));
    }

    void config(boolean strict, int maxBlocks, int cooldown) throws Exception {
        res.apply(new IpamConfiguration(ObjectMeta.named("default"), new IpamConfiguration.Spec(strict, true, maxBlocks, cooldown)));
    }

    static ClusterIpam.AssignRequest v4(String handle, String node) {
        return new ClusterIpam.AssignRequest(handle, node, Map.of("node", node), 1, 0, List.of(), List.of());
    }

    /** Every allocated address in the store (duplicates kept), and a check that handles agree with blocks. */
    List<IpAddress> allocated() throws Exception {
        List<IpAddress> out = new ArrayList<>();
        for (var b : reader.blocks(null)) {
            for (int o = 0; o < b.value().capacity(); o++) if (b.value().attributeOf(o).isPresent()) out.add(b.value().ipOf(o));
        }
        return out;
    }
}
