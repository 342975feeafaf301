package io.podnet.cli.explain;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster's datastore and agents say, next to what the kernels do: the overlay network config and
 * subnet leases (flannel's {@code <prefix>/config} and {@code <prefix>/subnets/...}), IPAM blocks with their
 * node affinity ({@code /calico/ipam/v2/...}, for the routed mode), BGP sessions per node, and whether each
 * node's agent runs (the udp backend's data path is the agent itself). Explanations use it to say who owns a
 * route or why one is missing; every part may be empty when it was not read.
 */
public record ControlPlane(Optional<OverlayNetwork> overlay, List<Lease> leases, List<Block> blocks, List<BgpSession> sessions,
                           Map<String, Boolean> agentRunning) {

    public static final ControlPlane NONE = new ControlPlane(Optional.empty(), List.of(), List.of(), List.of(), Map.of());

    public ControlPlane {
        leases = List.copyOf(leases);
        blocks = List.copyOf(blocks);
        sessions = List.copyOf(sessions);
        agentRunning = Map.copyOf(agentRunning);
    }

    /** The overlay's network config: cluster CIDR, backend type (vxlan, host-gw, udp), its UDP port and VNI. */
    public record OverlayNetwork(IpPrefix network, String backend, int port, int vni) {}

    /** A node's subnet lease: its PublicIP and, for vxlan, the VTEP MAC. */
    public record Lease(IpPrefix subnet, IpAddress publicIp, String backend, Optional<MacAddress> vtepMac) {}

    /** An IPAM block and the node it is affine to. */
    public record Block(IpPrefix cidr, String node) {}

    /** A BGP session as a node's speaker reports it. */
    public record BgpSession(String node, IpAddress peer, String state) {}

    public Optional<Lease> leaseFor(IpAddress a) {
        return leases.stream().filter(l -> l.subnet.family() == a.family() && l.subnet.contains(a)).findFirst();
    }

    public Optional<Lease> leaseOf(IpAddress publicIp) {
        return leases.stream().filter(l -> l.publicIp.equals(publicIp)).findFirst();
    }

    public Optional<Block> blockFor(IpAddress a) {
        return blocks.stream().filter(b -> b.cidr.family() == a.family() && b.cidr.contains(a)).findFirst();
    }

    public Optional<BgpSession> session(String node, IpAddress peer) {
        return sessions.stream().filter(s -> s.node.equals(node) && s.peer.equals(peer)).findFirst();
    }

    /** Whether the agent on {@code node} runs; empty when unknown. */
    public Optional<Boolean> agentRunning(String node) { return Optional.ofNullable(agentRunning.get(node)); }
}
