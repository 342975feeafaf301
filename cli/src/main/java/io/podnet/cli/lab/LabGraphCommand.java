package io.podnet.cli.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code podnet lab graph}: the lab as a picture (Graphviz lays it out from a generated DOT). */
@Command(name = "graph", description = "Draw the lab: nodes, pods, the underlay, and the tunnels (vxlan/udp) or routes (host-gw) the "
        + "kernels hold, as SVG rendered by Graphviz (`dot`); `-o FILE.dot` writes the DOT source instead, `-o -` prints to stdout.")
final class LabGraphCommand extends LabCommand.Common implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, description = "Output file (default: <name>.svg in the current directory).")
    String output;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Lab lab = open();
        Topology t = Topology.of(lab.state(), LabSnapshot.read(lab));
        String target = output != null ? output : name + ".svg";
        byte[] data = target.endsWith(".dot") ? t.dot().getBytes(StandardCharsets.UTF_8) : svg(t.dot());
        if (target.equals("-")) {
            System.out.write(data);
            System.out.flush();
        } else {
            Files.write(Path.of(target), data);
            spec.commandLine().getOut().println("[lab] wrote " + target + " (" + t.nodes().size() + " nodes, "
                    + t.nodes().stream().mapToInt(n -> n.pods().size()).sum() + " pods, " + t.edges().size() + " node-to-node connections)");
        }
        return 0;
    }

    /** Renders DOT to SVG with Graphviz's {@code dot}. */
    static byte[] svg(String dot) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(List.of("dot", "-Tsvg")).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IOException("Graphviz's `dot` is not installed (Debian package graphviz; or use -o lab.dot)", e);
        }
        try (var in = p.getOutputStream()) {
            in.write(dot.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("dot -Tsvg failed: " + err);
        return out;
    }
}
