package io.podnet.cli.calico;

import io.podnet.calico.Node;
import io.podnet.calico.ResourceStateException;
import io.podnet.ipam.cluster.IpamMaintenance;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code podnet node delete NAME}: remove a node and release its IPAM state cluster-wide. */
@Command(name = "node", description = "Cluster nodes.", subcommands = {NodeCommand.Delete.class})
public final class NodeCommand {

    @Command(name = "delete", description = "Delete a node: its Node resource, then its addresses (own and borrowed), blocks and affinities.")
    static final class Delete implements Callable<Integer> {
        @Mixin DatastoreOptions ds;
        @Spec CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "The node's name.")
        String name;

        @Override
        public Integer call() {
            return Run.withSession("node delete", ds, spec, (s, out) -> {
                boolean existed = s.resources().delete(Node.KIND, null, name, null).isPresent();
                IpamMaintenance.NodeRelease r = new IpamMaintenance(s.reader()).releaseNode(name);
                if (!existed && r.addresses().isEmpty() && r.blocksDeleted().isEmpty() && r.blocksUnaffined().isEmpty() && r.affinitiesDeleted() == 0) {
                    throw new ResourceStateException(ResourceStateException.Reason.NOT_FOUND, "Node", name, "and it holds no IPAM state");
                }
                out.printf("Successfully deleted node %s: released %d addresses, %d blocks (%d more kept without affinity: other nodes' "
                        + "addresses in them), %d affinities%n", name, r.addresses().size(), r.blocksDeleted().size(), r.blocksUnaffined().size(),
                        r.affinitiesDeleted());
                return 0;
            });
        }
    }
}
