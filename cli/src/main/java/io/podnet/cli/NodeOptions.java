package io.podnet.cli;

import io.podnet.cli.explain.NodeView;
import io.podnet.overlay.subnet.SubnetManager;
import io.podnet.rtnetlink.NetNs;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Which node a diagnostic command looks at, and the datastore beside it ({@code podnet explain}, {@code podnet doctor}). */
final class NodeOptions {
    @Option(names = "--node-ns", description = "The node's network namespace (a path such as /run/netns/X; default: this process's).")
    Path nodeNs;
    @Option(names = "--node-name", description = "This node's name (default: the host name).")
    String nodeName;
    @Option(names = "--etcd-endpoints", split = ",", description = "etcd client URLs: read the overlay config and leases (default: none).")
    List<URI> etcd;
    @Option(names = "--etcd-prefix", defaultValue = SubnetManager.DEFAULT_PREFIX, description = "Overlay key prefix (default: ${DEFAULT-VALUE}).")
    String prefix;

    /** The node namespace; an IllegalArgumentException names --node-ns when there is none at the path. */
    NetNs node() {
        NetNs node = nodeNs == null ? NetNs.current() : NetNs.at(nodeNs);
        if (!node.exists()) throw new IllegalArgumentException("--node-ns: no namespace at " + nodeNs);
        return node;
    }

    String name(NetNs node) throws java.net.UnknownHostException {
        if (nodeName != null) return nodeName;
        return node.isCurrent() ? java.net.InetAddress.getLocalHost().getHostName() : NodeView.snapshotName(node);
    }

    boolean hasEtcd() { return etcd != null && !etcd.isEmpty(); }
}
