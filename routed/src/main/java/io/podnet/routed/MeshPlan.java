package io.podnet.routed;

import io.podnet.calico.IpPool;
import io.podnet.calico.Node;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What one node's BGP speaker should do, computed from the datastore alone (what calico-node's confd renders into
 * BIRD's configuration): whom to peer with and which prefixes to announce. Pure; {@link RoutedNode} applies it.
 * <ul>
 *   <li><b>Peers</b>, node-to-node mesh: every other Node with {@code spec.bgp.ipv4Address}, in its own AS
 *       ({@code spec.bgp.asNumber}, else the cluster default, 64512 as in Calico's BGPConfiguration).</li>
 *   <li><b>Exports</b>: this node's confirmed blocks of pools that allow BGP export ({@code disableBGPExport} false),
 *       plus a {@code /32} for every local pod address outside those blocks (an address borrowed from another
 *       node's block: the longer prefix wins over the block's owner).</li>
 * </ul>
 */
public final class MeshPlan {
    private MeshPlan() {}

    /** A peer: the other node's name, address and AS. */
    public record Peer(String node, IpAddress address, long asNumber) {}

    /** This node's AS: its own {@code spec.bgp.asNumber}, else {@code defaultAs}. */
    public static long asNumber(Optional<Node> me, long defaultAs) {
        return me.map(Node::spec).map(Node.Spec::bgp).map(Node.Bgp::asNumber).orElse(defaultAs);
    }

    /** The mesh peers of {@code self} among {@code nodes} (sorted by address; nodes without an IPv4 address are left out). */
    public static List<Peer> meshPeers(String self, Collection<Node> nodes, long defaultAs) {
        Map<IpAddress, Peer> out = new LinkedHashMap<>();
        List<Node> sorted = new ArrayList<>(nodes);
        sorted.sort(java.util.Comparator.comparing(Node::name));
        for (Node n : sorted) {
            if (n.name().equals(self)) continue;
            Optional<IpAddress> ip = ipv4(n);
            if (ip.isEmpty()) continue;
            out.putIfAbsent(ip.get(), new Peer(n.name(), ip.get(), asNumber(Optional.of(n), defaultAs)));
        }
        return out.values().stream().sorted(java.util.Comparator.comparing(Peer::address)).toList();
    }

    /** A node's {@code spec.bgp.ipv4Address} without its length, if set and valid. */
    public static Optional<IpAddress> ipv4(Node n) {
        if (n.spec() == null || n.spec().bgp() == null || n.spec().bgp().ipv4Address() == null) return Optional.empty();
        try {
            Cidr c = Cidr.parse(n.spec().bgp().ipv4Address());
            return c.family() == IpFamily.V4 ? Optional.of(c.address()) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The prefixes to announce: {@code blocks} (this node's confirmed blocks) whose pool exports, and a host route for each
     * of {@code podAddresses} (this node's pods) that lies in an exporting pool but in none of those blocks.
     */
    public static List<IpPrefix> exports(Collection<IpPrefix> blocks, Collection<IpPool> pools, Collection<IpAddress> podAddresses) {
        TreeSet<IpPrefix> out = new TreeSet<>();
        List<IpPrefix> mine = new ArrayList<>();
        for (IpPrefix b : blocks) {
            Optional<IpPool> pool = poolOf(pools, b.address());
            if (pool.isPresent() && exports(pool.get())) {
                out.add(b);
            }
            mine.add(b);
        }
        for (IpAddress a : podAddresses) {
            if (mine.stream().anyMatch(b -> b.contains(a))) continue;
            Optional<IpPool> pool = poolOf(pools, a);
            if (pool.isPresent() && exports(pool.get())) out.add(IpPrefix.host(a));
        }
        return List.copyOf(out);
    }

    private static boolean exports(IpPool p) {
        return p.spec() == null || !Boolean.TRUE.equals(p.spec().disableBGPExport());
    }

    private static Optional<IpPool> poolOf(Collection<IpPool> pools, IpAddress a) {
        for (IpPool p : pools) {
            try {
                if (p.spec() != null && p.spec().cidr() != null && IpPrefix.parse(p.spec().cidr()).contains(a)) return Optional.of(p);
            } catch (IllegalArgumentException e) {
                // an invalid pool in the datastore: it exports nothing
            }
        }
        return Optional.empty();
    }
}
