package io.podnet.cli.explain;

import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.RouteScope;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one node can see of itself: its namespace and every named namespace its veths lead to (pods; the
 * upstream namespace when the veth carries the node's own address, as in the lab), plus any extra ones named.
 */
public final class NodeView {
    private NodeView() {}

    /** The snapshot name of the node's namespace: {@link Cluster#HOST} for this process's own, else its name. */
    public static String snapshotName(NetNs node) {
        return node.isCurrent() ? Cluster.HOST : node.name().orElse(node.path().getFileName().toString());
    }

    /** The node's snapshot first, then its peers. */
    public static List<NsSnapshot> read(NetNs node, String nodeName, List<String> extra) throws IOException {
        List<NsSnapshot> all = new ArrayList<>();
        NsSnapshot n = KernelReader.read(snapshotName(node), NsSnapshot.Role.NODE, nodeName, node, r -> r);
        all.add(n);
        Map<String, NsSnapshot.Role> peers = new LinkedHashMap<>();
        for (Link l : n.links()) {
            if (l.linkNetnsId().isEmpty()) continue;
            String peer = n.peerNamespaces().get(l.linkNetnsId().getAsInt());
            if (peer == null || !Files.exists(NetNs.NETNS_RUN_DIR.resolve(peer))) continue;
            // IPv6 link-local addresses (every veth that is up has one) do not make a link the node's uplink
            boolean upstream = n.addresses(l.name()).stream().anyMatch(a -> a.scope() != RouteScope.LINK) && l.masterIndex().isEmpty();
            peers.putIfAbsent(peer, upstream ? NsSnapshot.Role.UNDERLAY : NsSnapshot.Role.POD);
        }
        for (String x : extra) peers.putIfAbsent(x, NsSnapshot.Role.POD);
        for (var e : peers.entrySet()) all.add(KernelReader.read(e.getKey(), e.getValue(), nodeName, NetNs.named(e.getKey()), r -> r));
        return all;
    }
}
