package io.podnet.cli;

import io.podnet.cli.doctor.Doctor;
import io.podnet.cli.doctor.DoctorReader;
import io.podnet.cli.doctor.Finding;
import io.podnet.cli.doctor.NodeFacts;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.rtnetlink.NetNs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code podnet doctor}: a node check-up, each finding with the command that fixes it. */
@Command(name = "doctor", description = "Check this node as a support engineer would (forwarding, MTUs, rp_filter, neighbour table, CNI config "
        + "dir, agent socket; with --etcd-endpoints also subnet.env against the lease, leases of nodes that are gone, blocks of unregistered "
        + "nodes) and print each finding with the command that fixes it. Exit 1 when a finding is an ERROR.")
final class DoctorCommand implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin NodeOptions where;
    @Option(names = "--root", defaultValue = "/", description = "Prefix for every file path doctor reads (default: ${DEFAULT-VALUE}).")
    Path root;
    @Option(names = "--cni-conf-dir", defaultValue = "etc/cni/net.d", description = "CNI config directory, under --root (default: ${DEFAULT-VALUE}).")
    Path cniConfDir;
    @Option(names = "--subnet-file", defaultValue = "run/flannel/subnet.env", description = "subnet.env, under --root (default: ${DEFAULT-VALUE}).")
    Path subnetFile;
    @Option(names = "--cni-socket", defaultValue = "run/podnet/cni.sock", description = "The agent's CNI socket, under --root (default: ${DEFAULT-VALUE}).")
    Path cniSocket;
    @Option(names = "--iface", description = "The underlay interface (default: the vxlan device's lower device, else the default route's).")
    String iface;
    @Option(names = "--no-probe", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Ping each other lease's PublicIP once to find nodes that are gone (default: on).")
    boolean probe;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        NetNs node;
        try {
            node = where.node();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("podnet doctor: " + e.getMessage());
            return 2;
        }
        String name = where.name(node);
        Optional<DoctorReader.Connect> ds = !where.hasEtcd() ? Optional.empty()
                : Optional.of(() -> EtcdDatastore.connect(EtcdConfig.of(where.etcd).withTimeout(Duration.ofSeconds(5))));
        NodeFacts facts = DoctorReader.read(new DoctorReader.Where(node, name, under(subnetFile), under(cniConfDir), under(cniSocket),
                Optional.ofNullable(iface), ds, where.prefix, probe));
        List<Finding> findings = Doctor.run(facts);
        out.println("podnet doctor: node " + name + (node.isCurrent() ? "" : " (namespace " + node.path() + ")"));
        findings.forEach(f -> out.println(f.render()));
        long errors = findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
        long warns = findings.stream().filter(f -> f.severity() == Finding.Severity.WARN).count();
        out.println(errors + warns == 0 ? "no problems found" : errors + " error(s), " + warns + " warning(s)");
        out.flush();
        return errors > 0 ? 1 : 0;
    }

    private Path under(Path p) {
        return p.isAbsolute() ? p : root.resolve(p);
    }
}
