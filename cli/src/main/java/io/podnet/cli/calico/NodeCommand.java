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
@Command(name = "node", description = "Cluster nodes.", subcommands = {NodeCommand.Delete.class, NodeCommand.Status.class})
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

    /**
     * {@code podnet node status}: calicoctl's table of this node's BGP sessions, from the status file the local agent
     * writes every second in routed mode ({@code <stateDir>/routed-status.json}). Exit 0 when the agent is running
     * (every session listed, up or not), 1 when it is not (no file, or one older than {@value #STALE_SECONDS} s).
     */
    @Command(name = "status", description = "This node's BGP sessions (routed mode), from the local agent's status (calicoctl node status).")
    static final class Status implements Callable<Integer> {
        static final int STALE_SECONDS = 10;
        @CommandLine.Option(names = "--state-dir", defaultValue = "/var/lib/podnet", description = "The agent's stateDir (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path stateDir;
        @Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws java.io.IOException {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.nio.file.Path f = stateDir.resolve("routed-status.json");
            if (!java.nio.file.Files.exists(f)) {
                out.println("podnet is not running in routed mode here (no " + f + ")");
                out.flush();
                return 1;
            }
            io.podnet.routed.RoutedNode.Status st = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readValue(java.nio.file.Files.readAllBytes(f), io.podnet.routed.RoutedNode.Status.class);
            long age = java.time.Duration.between(java.time.Instant.parse(st.updated()), java.time.Instant.now()).toSeconds();
            if (age > STALE_SECONDS) {
                out.println("podnet agent is not running (its status was last written " + age + " s ago)");
                out.flush();
                return 1;
            }
            out.println("podnet agent is running (node " + st.node() + ", " + st.address() + ", AS " + st.asNumber() + ").");
            if (!st.problem().isEmpty()) out.println("Problem: " + st.problem());
            out.println();
            out.println("IPv4 BGP status");
            if (st.peers().isEmpty()) {
                out.println("No IPv4 peers found.");
            } else {
                Table t = new Table(java.util.List.of("PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO"));
                java.time.format.DateTimeFormatter hms = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneOffset.UTC);
                for (io.podnet.routed.RoutedNode.PeerRow r : st.peers()) {
                    t.row(r.address(), r.type(), r.state(), hms.format(java.time.Instant.parse(r.since())), r.info());
                }
                t.boxed(out);
            }
            out.println();
            out.println("IPv6 BGP status");
            out.println("No IPv6 peers found.");
            out.flush();
            return 0;
        }
    }
}
