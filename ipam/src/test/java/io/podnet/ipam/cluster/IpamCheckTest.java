package io.podnet.ipam.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.calico.Node;
import io.podnet.calico.ObjectMeta;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.datastore.Op;
import io.podnet.datastore.Txn;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `ipam check` finds each kind of problem on a seeded store, and nothing on a clean one. */
class IpamCheckTest {
    final IpamFixture f = new IpamFixture();

    void endpoint(String node, String name, IpAddress ip) throws Exception {
        f.res.create(new WorkloadEndpoint(new ObjectMeta(name, "default", null, null, null, Map.of(), Map.of()),
                new WorkloadEndpoint.Spec("k8s", "", node, "c", name, "eth0", List.of(ip + "/32"), null, null)));
    }

    @Test
    void aCleanStoreHasNoProblems() throws Exception {
        f.pool("p", "10.1.0.0/24", 26);
        f.node("n1", Map.of());
        IpAddress ip = f.ipam().autoAssign(IpamFixture.v4("h1", "n1")).getFirst().ip();
        endpoint("n1", "w1", ip);
        StringWriter out = new StringWriter();
        var r = IpamCheck.run(f.reader, new PrintWriter(out));
        assertThat(r.problems()).as(out.toString()).isZero();
        assertThat(out.toString()).contains("Found 1 IPAM blocks.").contains("IPAM blocks record 1 allocations.")
                .contains("Check complete; found 0 problems.");
        assertThat(r.allocations().get(ip.toString()).getFirst().inUse()).isTrue();
    }

    @Test
    void findsLeaksOrphansDanglingAffinitiesAndDuplicates() throws Exception {
        f.pool("p", "10.1.0.0/24", 26);
        f.node("n1", Map.of());
        f.node("n2", Map.of());
        ClusterIpam ipam = f.ipam();
        IpAddress used = ipam.autoAssign(IpamFixture.v4("used", "n1")).getFirst().ip();
        endpoint("n1", "w1", used);
        IpAddress leaked = ipam.autoAssign(IpamFixture.v4("leaked", "n1")).getFirst().ip();
        IpAddress gone = ipam.autoAssign(IpamFixture.v4("gone", "n2")).getFirst().ip();
        endpoint("n2", "w2", gone);
        f.res.delete(Node.KIND, null, "n2", null);
        var k = f.reader.keys();
        f.ds.put(k.handle("orphan"), IpamJson.encode(IpamHandle.EMPTY.add("10.1.0.0/26", 1)));
        IpPrefix b1 = ipam.allocation(used).orElseThrow().block();
        IpPrefix b2 = ipam.allocation(gone).orElseThrow().block();
        IpPrefix free = java.util.stream.IntStream.range(0, 4).mapToObj(i -> IpPrefix.parse("10.1.0.0/24").subnet(26, i))
                .filter(b -> !b.equals(b1) && !b.equals(b2)).findFirst().orElseThrow();
        f.ds.txn(Txn.batch(List.of(Op.put(k.affinity("n1", free), IpamJson.encode(BlockAffinity.PENDING)))));
        f.ds.txn(Txn.batch(List.of(Op.put(k.affinity("n2", b1), IpamJson.encode(BlockAffinity.CONFIRMED)))));
        IpAddress unallocated = free.first().add(9);
        endpoint("n1", "w3", unallocated);
        var r = IpamCheck.run(f.reader, null);
        assertThat(r.leakedIps()).extracting(IpamCheck.Allocation::ip).containsExactlyInAnyOrder(leaked.toString(), gone.toString());
        assertThat(r.leakedIps()).filteredOn(a -> a.ip().equals(gone.toString())).first()
                .extracting(IpamCheck.Allocation::reason).isEqualTo("node n2 does not exist");
        assertThat(r.leakedHandles()).extracting(IpamCheck.HandleInfo::id).containsExactly("orphan");
        assertThat(r.inUseNotAllocated()).containsExactly(unallocated.toString());
        assertThat(r.danglingAffinities()).extracting(IpamCheck.Finding::problem).contains("affinity is pending");
        assertThat(r.duplicates()).as(r.toJson()).extracting(IpamCheck.Finding::problem).contains("claimed by 2 nodes");
        assertThat(r.blocksWithoutAffinity()).extracting(IpamCheck.Finding::problem).anyMatch(p -> p.contains("n2, which does not exist"));
        // the report survives a JSON round trip (release --from-report reads it back)
        var again = IpamCheck.Report.parse(r.toJson());
        assertThat(again.leakedIps()).isEqualTo(r.leakedIps());
        assertThat(again.problems()).isEqualTo(r.problems());
    }
}
