package io.podnet.cli.lab;

import io.podnet.cli.ExplainOptions;
import io.podnet.cli.explain.Cluster;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code podnet lab explain SRC DST}: why a lab pod can or cannot reach another, from the kernels' state. */
@Command(name = "explain", description = "Walk the path from SRC to DST (lab pod or node names, or IPs) through the kernel state of "
        + "every namespace on the way; end with REACHABLE or the first hop that stops the packet and why. Exit 0 when reachable both ways.")
final class LabExplainCommand extends LabCommand.Common implements Callable<Integer> {
    @Mixin ExplainOptions flow;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Cluster c = LabSnapshot.read(open());
        PrintWriter out = spec.commandLine().getOut();
        try {
            return flow.explainAndPrint(c, out);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("podnet lab explain: " + e.getMessage());
            return 2;
        }
    }
}
