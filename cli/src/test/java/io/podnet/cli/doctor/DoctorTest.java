package io.podnet.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.overlay.subnet.SubnetEnv;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.OperState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Doctor's checks on hand-made facts; the netns test covers the same checks on a real kernel. */
class DoctorTest {
    static final int UP = 0x10001;

    static NsSnapshot node(int underMtu, int tunMtu) {
        return NsSnapshot.builder("host", NsSnapshot.Role.NODE, "n1").sysctl("net/ipv4/ip_forward", "1")
                .link(new Link(2, "eth0", new LinkKind.Device(), underMtu, Optional.empty(), UP, OperState.UP, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()))
                .link(new Link(3, "flannel.1", new LinkKind.Vxlan(1, Optional.empty(), 8472, false, Optional.of("eth0"), OptionalInt.empty()), tunMtu,
                        Optional.empty(), UP, OperState.UP, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()))
                .address(Address.of("eth0", "192.0.2.1/24")).build();
    }

    static NodeFacts facts(NsSnapshot node, int neigh, int thresh) {
        return new NodeFacts(new NodeFacts.Kernel(node, List.of(), Optional.empty(), neigh, thresh),
                new NodeFacts.Files(new NodeFacts.SubnetFile.Present(Path.of("/run/flannel/subnet.env"),
                        new SubnetEnv(IpPrefix.parse("10.244.0.0/16"), Cidr.parse("10.244.1.1/24"), 1450, true)), Path.of("/etc/cni/net.d"),
                        List.of(conf("10-podnet.conflist", "{\"name\":\"pods\",\"plugins\":[{\"type\":\"podnet-flannel\"}]}")),
                        Path.of("/run/podnet/cni.sock"), NodeFacts.Socket.ANSWERS),
                NodeFacts.Datastore.NONE);
    }

    static NodeFacts.ConfFile conf(String name, String json) {
        try {
            return new NodeFacts.ConfFile(name, Optional.of(new ObjectMapper().readTree(json)), "");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static List<Finding> problems(NodeFacts f) {
        return Doctor.run(f).stream().filter(x -> x.severity() != Finding.Severity.OK).toList();
    }

    @Test
    void aHealthyNodeHasNoProblems() {
        assertThat(problems(facts(node(1500, 1450), 10, 1024))).isEmpty();
    }

    @Test
    void aTunnelMtuTheUnderlayCannotCarryIsAnErrorWithTheFix() {
        List<Finding> p = problems(facts(node(1400, 1450), 10, 1024));
        assertThat(p).anySatisfy(f -> {
            assertThat(f.check()).isEqualTo("mtu");
            assertThat(f.message()).contains("flannel.1 (vxlan) has MTU 1450, more than eth0's 1400 − 50");
            assertThat(f.fix().orElse("")).contains("ip link set dev flannel.1 mtu 1350, and give pods the same MTU");
        });
        assertThat(p).anySatisfy(f -> assertThat(f.message()).contains("FLANNEL_MTU=1450, larger than the 1350"));
    }

    @Test
    void aNeighbourTableNearGcThresh3IsAWarningAndOverItAnError() {
        assertThat(problems(facts(node(1500, 1450), 800, 1024))).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Finding.Severity.WARN);
            assertThat(f.message()).contains("800 entries of gc_thresh3 1024");
            assertThat(f.fix().orElse("")).contains("net.ipv4.neigh.default.gc_thresh3=4096");
        });
        assertThat(problems(facts(node(1500, 1450), 1000, 1024))).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("neighbour table overflow"));
    }

    @Test
    void anUnparsableFirstConfigOrAForeignOneSortedFirstShadowsOurs() {
        NodeFacts f = facts(node(1500, 1450), 10, 1024);
        NodeFacts.Files files = new NodeFacts.Files(f.files().subnetEnv(), f.files().cniConfDir(),
                List.of(conf("10-podnet.conflist", "{\"name\":\"pods\",\"plugins\":[{\"type\":\"podnet-flannel\"}]}"),
                        conf("05-containerd-net.conflist", "{\"name\":\"containerd-net\",\"plugins\":[{\"type\":\"bridge\"}]}"), conf("99-x.txt", "{}")),
                f.files().cniSocket(), f.files().socket());
        assertThat(problems(new NodeFacts(f.kernel(), files, f.datastore()))).singleElement().satisfies(x -> {
            assertThat(x.message()).contains("05-containerd-net.conflist (network \"containerd-net\", plugins bridge) sorts before podnet's 10-podnet.conflist");
            assertThat(x.fix().orElse("")).contains("mv /etc/cni/net.d/05-containerd-net.conflist /etc/cni/net.d/05-containerd-net.conflist.disabled");
        });
        NodeFacts.Files broken = new NodeFacts.Files(f.files().subnetEnv(), f.files().cniConfDir(),
                List.of(new NodeFacts.ConfFile("00-bad.conf", Optional.empty(), "Unexpected character"), files.cniConfs().getFirst()),
                f.files().cniSocket(), f.files().socket());
        assertThat(problems(new NodeFacts(f.kernel(), broken, f.datastore()))).singleElement()
                .satisfies(x -> assertThat(x.message()).contains("00-bad.conf sorts first and does not parse"));
    }

    @Test
    void staleSubnetEnvDeadNodesLeaseAndUnregisteredBlock() {
        NodeFacts f = facts(node(1500, 1450), 10, 1024);
        ControlPlane cp = new ControlPlane(Optional.of(new ControlPlane.OverlayNetwork(IpPrefix.parse("10.244.0.0/16"), "vxlan", 8472, 1)),
                List.of(new ControlPlane.Lease(IpPrefix.parse("10.244.5.0/24"), IpAddress.parse("192.0.2.1"), "vxlan", Optional.empty()),
                        new ControlPlane.Lease(IpPrefix.parse("10.244.9.0/24"), IpAddress.parse("192.0.2.9"), "vxlan", Optional.empty())),
                List.of(new ControlPlane.Block(IpPrefix.parse("10.250.0.0/26"), "ghost")), List.of(), Map.of());
        NodeFacts.Datastore ds = new NodeFacts.Datastore(Optional.of(cp), Optional.empty(), "/coreos.com/network", Set.of("n1"),
                Map.of(IpAddress.parse("192.0.2.9"), false));
        List<Finding> p = problems(new NodeFacts(f.kernel(), f.files(), ds));
        assertThat(p).anySatisfy(x -> assertThat(x.message()).contains("is stale: it says 10.244.1.0/24 but this node's lease is 10.244.5.0/24"));
        assertThat(p).anySatisfy(x -> {
            assertThat(x.message()).contains("lease 10.244.9.0/24 is held by 192.0.2.9, which does not answer");
            assertThat(x.fix().orElse("")).contains("etcdctl del /coreos.com/network/subnets/10.244.9.0-24");
        });
        assertThat(p).anySatisfy(x -> assertThat(x.fix().orElse("")).contains("podnet node delete ghost"));
    }
}
