package io.podnet.cli;

import io.podnet.cli.explain.Cluster;
import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.ControlPlaneReader;
import io.podnet.cli.explain.NodeView;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.rtnetlink.NetNs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code podnet explain SRC DST} on a node: reads this node's kernel state and every pod namespace its veths
 * lead to, and the overlay leases from etcd when given, then walks the path as far as this node can see
 * (a packet that leaves for another node ends with LEFT: run explain there too).
 */
@Command(name = "explain", description = "Walk the path from SRC to DST (pod namespace names or IPs) through this node's kernel state; "
        + "end with REACHABLE, the first hop that stops the packet and why, or where it leaves this node. Exit 0 when reachable both ways.")
final class ExplainCommand implements Callable<Integer> {
    @Mixin ExplainOptions flow;
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin NodeOptions where;
    @Option(names = "--netns", split = ",", description = "More named namespaces to read (pods whose veth does not lead from the node).")
    List<String> extra = List.of();

    @Override
    public Integer call() throws Exception {
        try {
            return flow.explainAndPrint(read(), spec.commandLine().getOut());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("podnet explain: " + e.getMessage());
            return 2;
        }
    }

    Cluster read() throws Exception {
        NetNs node = where.node();
        return new Cluster(NodeView.read(node, where.name(node), extra), control(), Optional.empty());
    }

    private ControlPlane control() throws Exception {
        if (!where.hasEtcd()) return ControlPlane.NONE;
        Datastore store = EtcdDatastore.connect(EtcdConfig.of(where.etcd));
        try {
            return ControlPlaneReader.read(store, where.prefix, Map.of());
        } finally {
            store.close();
        }
    }
}
