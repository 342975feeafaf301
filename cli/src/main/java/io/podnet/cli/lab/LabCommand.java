package io.podnet.cli.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code podnet lab}: a multi-node cluster in network namespaces on this machine. */
@Command(name = "lab", description = "A local multi-node cluster in network namespaces (etcd, one agent per node, pods via CNI).",
        subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Exec.class, LabCommand.AddNode.class,
                LabCommand.KillNode.class, LabCommand.StartNode.class, LabCommand.RemoveNode.class, LabCommand.Down.class,
                LabExplainCommand.class, LabGraphCommand.class})
public final class LabCommand {

    /** Options shared by every lab subcommand. */
    static class Common {
        @Option(names = "--name", defaultValue = "lab", description = "Lab name; namespaces are prefixed pn<name>- (default: ${DEFAULT-VALUE}).")
        String name;
        @Option(names = "--dir", defaultValue = "/run/podnet-lab", description = "Where lab state and logs live (default: ${DEFAULT-VALUE}).")
        Path baseDir;

        Lab.Options options(String mode) {
            return new Lab.Options(name, mode, baseDir, agentCommand(), cniBinDir(), System.out);
        }

        Lab open() throws IOException {
            LabState s = LabState.load(baseDir.resolve(name));
            return Lab.open(options(s.mode));
        }
    }

    /**
     * The command that starts an agent: {@code bin/podnet} when this runs from it (so lab agents get the agent's JVM
     * flags and AOT cache, as a node would), else this same JVM's java, class path and native-access flag.
     */
    static List<String> agentCommand() {
        String home = System.getenv("PODNET_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "podnet"))) return List.of(Path.of(home, "bin", "podnet").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), "io.podnet.cli.Main"));
        return cmd;
    }

    /** The directory holding the CNI plugin binaries (podnet, podnet-ipam, podnet-flannel). */
    static Path cniBinDir() {
        String home = System.getenv().getOrDefault("PODNET_HOME", ".");
        return Path.of(home, "cni", "target", "bin").toAbsolutePath().normalize();
    }

    @Command(name = "up", description = "Build the lab: underlay, etcd, nodes with agents, pods; print where pods live and the connectivity matrix.")
    static final class Up extends Common implements Callable<Integer> {
        @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
        int nodes;
        @Option(names = "--pods", defaultValue = "2", description = "Pods per node (default: ${DEFAULT-VALUE}).")
        int pods;
        @Option(names = "--mode", defaultValue = "vxlan", description = "Flannel backend vxlan, host-gw or udp, or calico-bgp (Calico-style routed pods, BGP mesh) (default: ${DEFAULT-VALUE}).")
        String mode;

        @Override
        public Integer call() throws Exception {
            CniPlugin.ensureBuilt(cniBinDir(), System.out);
            Lab lab;
            try {
                lab = Lab.up(options(mode), nodes, pods);
            } catch (IOException | RuntimeException e) {
                System.out.println("[lab] failed: " + e.getMessage() + "\n[lab] cleaning up");
                Lab.down(options(mode));
                throw e;
            }
            return report(lab, System.out);
        }
    }

    static int report(Lab lab, PrintStream out) throws IOException, InterruptedException {
        out.println();
        out.printf("%-8s %-14s %-16s %s%n", "NODE", "UNDERLAY", "POD", "POD IP");
        for (LabState.Node n : lab.state().nodes) {
            for (LabState.Pod p : n.pods) out.printf("%-8s %-14s %-16s %s%n", n.name, n.ip, p.name, p.ip);
        }
        out.println();
        Connectivity.Matrix m = Connectivity.measure(lab.state().pods());
        out.print(m.render());
        out.println("mode " + lab.state().mode + "; try: podnet lab exec " + lab.state().pods().getFirst().name
                + " -- ip route; podnet lab down");
        return m.allOk() ? 0 : 1;
    }

    @Command(name = "status", description = "Show nodes, agents, pods and the connectivity matrix.")
    static final class Status extends Common implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Lab lab = open();
            for (LabState.Node n : lab.state().nodes) {
                boolean alive = n.agentPid > 0 && ProcessHandle.of(n.agentPid).map(ProcessHandle::isAlive).orElse(false);
                System.out.printf("node %-6s %-14s agent %s%n", n.name, n.ip, alive ? "running (pid " + n.agentPid + ")" : "NOT running");
            }
            return report(lab, System.out);
        }
    }

    @Command(name = "exec", description = "Run a command inside a pod's (or node's) namespace: podnet lab exec POD -- CMD...")
    static final class Exec extends Common implements Callable<Integer> {
        @Parameters(index = "0", description = "Pod or node name (e.g. n1-p1, n2, sw).")
        String target;
        @Parameters(index = "1..*", description = "The command.")
        List<String> command;

        @Override
        public Integer call() throws Exception {
            Lab lab = open();
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.state().prefix + "-" + target));
            cmd.addAll(command);
            return new ProcessBuilder(cmd).inheritIO().start().waitFor();
        }
    }

    @Command(name = "add-node", description = "Add a node (agent and pods) to a running lab and print the matrix.")
    static final class AddNode extends Common implements Callable<Integer> {
        @Option(names = "--pods", defaultValue = "2", description = "Pods on the new node (default: ${DEFAULT-VALUE}).")
        int pods;

        @Override
        public Integer call() throws Exception {
            Lab lab = open();
            lab.addNode(pods);
            return report(lab, System.out);
        }
    }

    @Command(name = "kill-node", description = "Kill a node's agent (SIGKILL); its pods and programmed routes stay.")
    static final class KillNode extends Common implements Callable<Integer> {
        @Parameters(index = "0", description = "Node name, e.g. n2.")
        String node;

        @Override
        public Integer call() throws Exception {
            Lab lab = open();
            lab.killAgent(lab.state().node(node));
            return 0;
        }
    }

    @Command(name = "start-node", description = "Start a node's agent again (after kill-node).")
    static final class StartNode extends Common implements Callable<Integer> {
        @Parameters(index = "0", description = "Node name, e.g. n2.")
        String node;

        @Override
        public Integer call() throws Exception {
            Lab lab = open();
            LabState.Node n = lab.state().node(node);
            lab.startAgent(n);
            lab.awaitAgent(n);
            return 0;
        }
    }

    @Command(name = "remove-node", description = "Remove a node: CNI DEL its pods, stop its agent, delete its lease and namespaces.")
    static final class RemoveNode extends Common implements Callable<Integer> {
        @Parameters(index = "0", description = "Node name, e.g. n3.")
        String node;

        @Override
        public Integer call() throws Exception {
            Lab lab = open();
            lab.removeNode(lab.state().node(node));
            return 0;
        }
    }

    @Command(name = "down", description = "Remove everything the lab made (also after a crash).")
    static final class Down extends Common implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Lab.down(options("vxlan"));
            System.out.println("[lab] " + name + " removed");
            return 0;
        }
    }

}
