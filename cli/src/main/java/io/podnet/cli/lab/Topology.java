package io.podnet.cli.lab;

import io.podnet.cli.explain.Cluster;
import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.net.IpAddress;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code podnet lab graph} draws, taken from the lab's state and its kernels: nodes with their underlay
 * address, subnet and agent, pods, the underlay segment, and the connections between nodes the kernels
 * actually hold — VXLAN FDB entries, host-gw routes, the udp backend's leases — plus BGP sessions and route
 * reflectors when the control plane has them. A connection only one side holds is marked one-way.
 */
record Topology(String lab, String mode, String underlay, List<Node> nodes, List<Edge> edges, List<String> reflectors) {

    record Node(String name, String ip, String subnet, boolean agentRunning, String device, List<Pod> pods) {}

    record Pod(String name, String ip) {}

    /** A connection between two nodes; {@code kind} is vxlan, host-gw, udp or bgp. */
    record Edge(String a, String b, String kind, String label, boolean oneWay) {}

    static Topology of(LabState s, Cluster c) {
        Map<String, String> nodeOfIp = new LinkedHashMap<>();
        s.nodes.forEach(n -> nodeOfIp.put(n.ip, n.name));
        List<Node> nodes = new ArrayList<>();
        Map<String, List<String>> seen = new LinkedHashMap<>(); // "a|b|kind" -> labels, from a's side
        for (LabState.Node n : s.nodes) {
            Optional<NsSnapshot> ns = c.ns(n.name);
            String subnet = c.control().leaseOf(IpAddress.parse(n.ip)).map(l -> l.subnet().toString()).orElse("no lease");
            String device = ns.map(Topology::overlayDevice).orElse("");
            List<Pod> pods = n.pods.stream().map(p -> new Pod(p.name, p.ip)).toList();
            nodes.add(new Node(n.name, n.ip, subnet, c.control().agentRunning(n.name).orElse(false), device, pods));
            ns.ifPresent(x -> connections(x, nodeOfIp, c.control(), s.mode).forEach((to, label) ->
                    seen.computeIfAbsent(n.name + "|" + to, k -> new ArrayList<>()).add(label)));
        }
        List<Edge> edges = new ArrayList<>();
        for (var e : seen.entrySet()) {
            String[] ab = e.getKey().split("\\|");
            boolean back = seen.containsKey(ab[1] + "|" + ab[0]);
            if (back && ab[0].compareTo(ab[1]) > 0) continue; // drawn once, from the lexically smaller side
            edges.add(new Edge(ab[0], ab[1], s.mode, String.join(", ", e.getValue()), !back));
        }
        for (ControlPlane.BgpSession b : c.control().sessions()) {
            String peer = nodeOfIp.getOrDefault(b.peer().toString(), b.peer().toString());
            if (peer.compareTo(b.node()) > 0 || !nodeOfIp.containsValue(peer)) edges.add(new Edge(b.node(), peer, "bgp", "BGP " + b.state(), false));
        }
        return new Topology(s.name, s.mode, Lab.UNDERLAY + "0/24", nodes, edges, List.of());
    }

    private static String overlayDevice(NsSnapshot ns) {
        return ns.links().stream().filter(l -> l.kind() instanceof LinkKind.Vxlan || l.kind() instanceof LinkKind.Tuntap || l.kind() instanceof LinkKind.Ipip)
                .map(l -> l.name() + " mtu " + l.mtu()).findFirst().orElse("");
    }

    /** The other nodes this node's kernel connects to (by node name), with a label each. */
    private static Map<String, String> connections(NsSnapshot ns, Map<String, String> nodeOfIp, ControlPlane cp, String mode) {
        Map<String, String> out = new LinkedHashMap<>();
        for (FdbEntry e : ns.kernel().fdb()) {
            Optional<Link> dev = ns.link(e.dev());
            if (e.dst().isEmpty() || dev.isEmpty() || !(dev.get().kind() instanceof LinkKind.Vxlan v)) continue;
            String to = nodeOfIp.get(e.dst().get().toString());
            if (to != null) out.put(to, "vxlan vni " + v.vni());
        }
        for (Route r : ns.kernel().routes()) {
            if (r.gateway().isEmpty() || r.protocol().value() != 98) continue;
            String to = nodeOfIp.get(r.gateway().get().toString());
            if (to != null) out.put(to, "route " + r.dst());
        }
        if (mode.equals("udp") && ns.links().stream().anyMatch(l -> l.kind() instanceof LinkKind.Tuntap)) {
            int port = cp.overlay().map(ControlPlane.OverlayNetwork::port).orElse(8285);
            for (ControlPlane.Lease l : cp.leases()) {
                String to = nodeOfIp.get(l.publicIp().toString());
                if (to != null && !to.equals(ns.node())) out.put(to, "udp/" + port + " to " + l.subnet());
            }
        }
        return out;
    }

    /** The graph in Graphviz's DOT language; Graphviz places everything (no coordinates here). */
    String dot() {
        StringBuilder sb = new StringBuilder();
        sb.append("graph ").append(q("podnet-lab-" + lab)).append(" {\n");
        sb.append("  graph [fontname=\"Helvetica\", labelloc=t, label=").append(q("podnet lab " + lab + " (" + mode + ")")).append(", nodesep=0.4];\n");
        sb.append("  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n");
        sb.append("  underlay [shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", label=")
                .append(q("underlay " + underlay + "\\nbridge br0, etcd " + Lab.ETCD_IP + ":2379")).append("];\n");
        for (Node n : nodes) {
            sb.append("  subgraph ").append(q("cluster_" + n.name)).append(" {\n    style=rounded; color=\"#888888\"; label=")
                    .append(q(n.name + "  " + n.subnet)).append(";\n");
            String agent = n.agentRunning ? "agent running" : "agent NOT running";
            sb.append("    ").append(q(n.name)).append(" [shape=box3d, style=filled, fillcolor=").append(n.agentRunning ? "\"#dde8ff\"" : "\"#ffdddd\"")
                    .append(", label=").append(q(n.name + "\\neth0 " + n.ip + (n.device.isEmpty() ? "" : "\\n" + n.device) + "\\n" + agent)).append("];\n");
            for (Pod p : n.pods) {
                sb.append("    ").append(q(p.name)).append(" [shape=ellipse, label=").append(q(p.name + "\\n" + p.ip)).append("];\n");
                sb.append("    ").append(q(n.name)).append(" -- ").append(q(p.name)).append(";\n");
            }
            sb.append("  }\n");
            sb.append("  ").append(q(n.name)).append(" -- underlay [label=\"eth0\"];\n");
        }
        for (Edge e : edges) {
            String style = switch (e.kind) {
                case "bgp" -> "style=bold, color=\"#2e7d32\"";
                case "host-gw" -> "style=solid, color=\"#6a1b9a\"";
                default -> "style=dashed, color=\"#1565c0\"";
            };
            sb.append("  ").append(q(e.a)).append(" -- ").append(q(e.b)).append(" [").append(style).append(", constraint=false, label=")
                    .append(q(e.oneWay ? e.label + " (one-way: only " + e.a + " has it)" : e.label)).append(e.oneWay ? ", color=red" : "").append("];\n");
        }
        for (String rr : reflectors) sb.append("  ").append(q(rr)).append(" [peripheries=2];\n");
        sb.append("}\n");
        return sb.toString();
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\\\\n", "\\n") + "\"";
    }
}
