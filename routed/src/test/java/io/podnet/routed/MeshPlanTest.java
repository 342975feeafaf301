package io.podnet.routed;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.calico.IpPool;
import io.podnet.calico.Node;
import io.podnet.calico.ObjectMeta;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Whom a node peers with and what it announces, from Calico's resources alone. */
class MeshPlanTest {
    private static Node node(String name, Long as, String ipv4) {
        return new Node(ObjectMeta.named(name), new Node.Spec(ipv4 == null && as == null ? null : new Node.Bgp(as, ipv4, null, null, null),
                null, null, null, null));
    }

    private static IpPool pool(String name, String cidr, Boolean disableExport) {
        IpPool.Spec s = IpPool.Spec.of(cidr);
        return new IpPool(ObjectMeta.named(name), new IpPool.Spec(s.cidr(), null, null, null, null, null, disableExport, null, null, null));
    }

    @Test
    void theMeshIsEveryOtherNodeWithAnAddressInItsOwnAsOrTheDefault() {
        List<Node> nodes = List.of(node("n3", 65003L, "192.168.200.3/24"), node("n1", null, "192.168.200.1/24"),
                node("n2", null, "192.168.200.2/24"), node("bare", null, null), node("v6only", null, "fd00::1/64"),
                node("garbage", null, "not-an-ip"));
        assertThat(MeshPlan.meshPeers("n1", nodes, 64512)).containsExactly(
                new MeshPlan.Peer("n2", IpAddress.parse("192.168.200.2"), 64512),
                new MeshPlan.Peer("n3", IpAddress.parse("192.168.200.3"), 65003));
        assertThat(MeshPlan.meshPeers("n9", List.of(), 64512)).isEmpty();
    }

    @Test
    void twoNodesClaimingOneAddressMakeOnePeerTheFirstByName() {
        List<Node> nodes = List.of(node("b", null, "10.0.0.2/24"), node("a", 65001L, "10.0.0.2/24"));
        assertThat(MeshPlan.meshPeers("me", nodes, 64512)).containsExactly(new MeshPlan.Peer("a", IpAddress.parse("10.0.0.2"), 65001));
    }

    @Test
    void ourAsIsOursOrTheDefault() {
        assertThat(MeshPlan.asNumber(Optional.of(node("n1", 65010L, null)), 64512)).isEqualTo(65010);
        assertThat(MeshPlan.asNumber(Optional.of(node("n1", null, "10.0.0.1/24")), 64512)).isEqualTo(64512);
        assertThat(MeshPlan.asNumber(Optional.empty(), 64512)).isEqualTo(64512);
    }

    @Test
    void exportsAreOurBlocksOfExportingPoolsPlusBorrowedAddresses() {
        List<IpPool> pools = List.of(pool("default", "10.65.0.0/16", null), pool("private", "10.66.0.0/16", true));
        List<IpPrefix> blocks = List.of(IpPrefix.parse("10.65.1.0/26"), IpPrefix.parse("10.66.0.0/26"), IpPrefix.parse("10.99.0.0/26"));
        List<IpAddress> pods = List.of(IpAddress.parse("10.65.1.5"),   // in our block: covered by it
                IpAddress.parse("10.65.7.9"),                           // borrowed from another node's block: a /32
                IpAddress.parse("10.66.3.3"),                           // borrowed from a pool that does not export
                IpAddress.parse("172.16.0.1"));                         // in no pool at all
        assertThat(MeshPlan.exports(blocks, pools, pods)).containsExactly(IpPrefix.parse("10.65.1.0/26"), IpPrefix.parse("10.65.7.9/32"));
        assertThat(MeshPlan.exports(List.of(), pools, List.of())).isEmpty();
    }
}
