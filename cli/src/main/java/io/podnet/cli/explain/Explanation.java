package io.podnet.cli.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The forward path of a flow and, when the forward path arrives, the path of the reply. */
public record Explanation(Flow flow, String srcName, String dstName, Path forward, Optional<Path> reply) {

    /** How a path ended. */
    public enum Verdict { REACHABLE, STOPPED, LEFT, UNKNOWN }

    /**
     * A walked path: its hops and its end. {@code stop} is the hop that ends it (for STOPPED the first hop that
     * stops the packet; for LEFT the hop where it leaves what explain can see), {@code fix} a command that
     * repairs it when explain knows one.
     */
    public record Path(List<Hop> hops, Verdict verdict, Optional<Hop> stop, String reason, Optional<String> fix) {
        public Path {
            hops = List.copyOf(hops);
        }

        public boolean reachable() { return verdict == Verdict.REACHABLE; }
    }

    /** Reachable both ways (the reply too, when one was walked). */
    public boolean reachable() { return forward.reachable() && reply.map(Path::reachable).orElse(true); }

    /** The path that failed first: the forward one, else the reply. */
    public Path failing() { return !forward.reachable() || reply.isEmpty() ? forward : reply.get(); }

    public String render(boolean verbose) {
        List<String> out = new ArrayList<>();
        out.add("explain " + srcName + " → " + dstName + ": " + flow.describe());
        renderPath(out, "forward", forward, verbose);
        reply.ifPresent(r -> renderPath(out, "reply", r, verbose));
        out.add(reachable() ? "REACHABLE" : summary(failing()));
        return String.join("\n", out) + "\n";
    }

    private static void renderPath(List<String> out, String name, Path p, boolean verbose) {
        out.add(name + ":");
        int i = 1;
        for (Hop h : p.hops) {
            if (verbose || h.status() != Hop.Status.OK || important(h)) out.add(h.render(i));
            i++;
        }
        out.add("    → " + (p.reachable() ? "arrives" : p.verdict.name().toLowerCase()));
    }

    private static boolean important(Hop h) {
        return h.kind() != Hop.Kind.NFT && h.kind() != Hop.Kind.FORWARDING && h.kind() != Hop.Kind.RP_FILTER && h.kind() != Hop.Kind.MTU;
    }

    private static String summary(Path p) {
        String where = p.stop.map(h -> " at " + h.ns() + " (" + h.kind().name().toLowerCase().replace('_', '-') + ")").orElse("");
        return p.verdict + where + ": " + p.reason + p.fix.map(f -> "\n    fix: " + f).orElse("");
    }
}
