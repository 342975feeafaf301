package io.podnet.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cli.explain.Cluster;
import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.OperState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The graph model and its DOT, from a hand-made lab state and kernel snapshots. */
class TopologyTest {

    static LabState state(int nodes) {
        LabState s = new LabState();
        s.name = "t";
        s.prefix = "pnt";
        s.mode = "vxlan";
        for (int k = 1; k <= nodes; k++) {
            LabState.Node n = new LabState.Node();
            n.name = "n" + k;
            n.ip = "192.168.200." + k;
            LabState.Pod p = new LabState.Pod();
            p.name = n.name + "-p1";
            p.ip = "10.244." + k + ".2";
            p.node = n.name;
            n.pods.add(p);
            s.nodes.add(n);
        }
        return s;
    }

    static NsSnapshot node(String name, String... vteps) {
        NsSnapshot.Builder b = NsSnapshot.builder(name, NsSnapshot.Role.NODE, name).link(new Link(3, "flannel.1",
                LinkKind.Vxlan.of(1, 8472), 1450, Optional.empty(), 0x10001, OperState.UP, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty()));
        for (String v : vteps) b.fdb(FdbEntry.vxlan("flannel.1", MacAddress.parse("0e:00:00:00:00:01"), IpAddress.parse(v)));
        return b.build();
    }

    @Test
    void vxlanEntriesBothWaysAreOneEdgeAndAOneSidedEntryIsMarked() {
        Cluster c = new Cluster(List.of(node("n1", "192.168.200.2", "192.168.200.3"), node("n2", "192.168.200.1"), node("n3")),
                new ControlPlane(Optional.empty(), List.of(), List.of(), List.of(), Map.of("n1", true, "n2", true, "n3", false)));
        Topology t = Topology.of(state(3), c);
        assertThat(t.edges()).extracting(Topology.Edge::a, Topology.Edge::b, Topology.Edge::oneWay)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("n1", "n2", false), org.assertj.core.groups.Tuple.tuple("n1", "n3", true));
        String dot = t.dot();
        assertThat(dot).startsWith("graph \"podnet-lab-t\" {").contains("subgraph \"cluster_n1\"").contains("\"n3-p1\" [shape=ellipse, label=\"n3-p1\\n10.244.3.2\"]")
                .contains("\"n1\" -- \"n3\"").contains("one-way: only n1 has it").contains("agent NOT running").doesNotContain("pos=");
    }

    @Test
    void bgpSessionsAreDrawnOncePerPair() {
        ControlPlane cp = new ControlPlane(Optional.empty(), List.of(), List.of(),
                List.of(new ControlPlane.BgpSession("n1", IpAddress.parse("192.168.200.2"), "Established"),
                        new ControlPlane.BgpSession("n2", IpAddress.parse("192.168.200.1"), "Established")), Map.of());
        Topology t = Topology.of(state(2), new Cluster(List.of(), cp));
        assertThat(t.edges()).singleElement().satisfies(e -> assertThat(e.label()).isEqualTo("BGP Established"));
        assertThat(t.dot()).contains("style=bold");
    }
}
