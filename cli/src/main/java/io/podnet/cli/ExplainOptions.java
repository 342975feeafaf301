package io.podnet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cli.explain.Cluster;
import io.podnet.cli.explain.Explanation;
import io.podnet.cli.explain.Flow;
import io.podnet.cli.explain.Hop;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.cli.explain.PathWalker;
import io.podnet.net.IpAddress;
import java.io.PrintWriter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The flow and output options of {@code podnet explain} and {@code podnet lab explain}. */
public final class ExplainOptions {
    @Parameters(index = "0", paramLabel = "SRC", description = "Source: a pod (namespace) name or an IP address.")
    public String src;
    @Parameters(index = "1", paramLabel = "DST", description = "Destination: a pod (namespace) name or an IP address.")
    public String dst;
    @Option(names = "--proto", defaultValue = "tcp", description = "tcp, udp or icmp (default: ${DEFAULT-VALUE}).")
    String proto;
    @Option(names = "--port", defaultValue = "80", description = "Destination port for tcp/udp (default: ${DEFAULT-VALUE}).")
    int port;
    @Option(names = "--size", description = "IP packet size in bytes, headers included, sent as given (a probe; default: tcp a full-size "
            + "segment as MSS negotiation allows = the smaller MTU of SRC's and DST's interfaces; icmp 84 like ping; udp 128).")
    Integer size;
    @Option(names = "--df", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Set DF (don't fragment), as TCP and ping do (default: set; --no-df clears it).")
    boolean df;
    @Option(names = {"-v", "--verbose"}, description = "Print every hop, also the ones that pass without remark.")
    boolean verbose;
    @Option(names = "--json", description = "Print the explanation as JSON.")
    boolean json;

    /** The flow between two resolved addresses; the default size comes from the source interface's MTU. */
    public Flow flow(Cluster c, IpAddress from, IpAddress to) {
        Flow.Proto p = switch (proto.toLowerCase()) {
            case "tcp" -> Flow.Proto.TCP;
            case "udp" -> Flow.Proto.UDP;
            case "icmp" -> Flow.Proto.ICMP;
            default -> throw new IllegalArgumentException("--proto must be tcp, udp or icmp, not " + proto);
        };
        int s = size != null ? size : switch (p) {
            case ICMP -> 84;
            case UDP -> 128;
            case TCP -> Math.min(mtuOf(c, from), mtuOf(c, to));
        };
        return new Flow(from, to, p, p == Flow.Proto.ICMP ? 0 : port, s, df);
    }

    /** The MTU of the interface that holds {@code a}, 1500 when no snapshot has it. */
    private static int mtuOf(Cluster c, IpAddress addr) {
        IpAddress from = addr;
        return c.ownerOf(from).flatMap(ns -> ns.kernel().addresses().stream().filter(a -> a.cidr().address().equals(from)).findFirst()
                .flatMap(a -> ns.link(a.dev()))).map(l -> l.mtu()).orElse(1500);
    }

    /** Resolves a name: a snapshot (pod or node namespace) by name, else an IP literal. */
    public static IpAddress resolve(Cluster c, String name) {
        java.util.Optional<NsSnapshot> ns = c.ns(name);
        if (ns.isPresent()) {
            return ns.get().kernel().addresses().stream().map(a -> a.cidr().address())
                    .filter(a -> a.isV4() && !a.toString().startsWith("127.") && !a.toString().startsWith("169.254."))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException(name + " has no IPv4 address"));
        }
        try {
            return IpAddress.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SRC/DST: " + name + " is neither a known pod or node nor an IP address");
        }
    }

    /** Walks and prints; exit code 0 when reachable both ways, 1 otherwise. */
    public int explainAndPrint(Cluster c, PrintWriter out) {
        Flow f = flow(c, resolve(c, src), resolve(c, dst));
        Explanation e = PathWalker.explain(c, f);
        out.print(json ? toJson(e) + "\n" : e.render(verbose));
        out.flush();
        return e.reachable() ? 0 : 1;
    }

    static String toJson(Explanation e) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("src", e.srcName()).put("dst", e.dstName()).put("flow", e.flow().describe()).put("reachable", e.reachable());
        o.set("forward", path(m, e.forward()));
        e.reply().ifPresent(r -> o.set("reply", path(m, r)));
        return o.toPrettyString();
    }

    private static ObjectNode path(ObjectMapper m, Explanation.Path p) {
        ObjectNode o = m.createObjectNode();
        o.put("verdict", p.verdict().name().toLowerCase()).put("reason", p.reason());
        p.fix().ifPresent(f -> o.put("fix", f));
        p.stop().ifPresent(h -> o.put("stopNs", h.ns()).put("stopKind", h.kind().name().toLowerCase()));
        ArrayNode hops = o.putArray("hops");
        for (Hop h : p.hops()) hops.addObject().put("ns", h.ns()).put("kind", h.kind().name().toLowerCase()).put("status", h.status().name().toLowerCase()).put("text", h.text());
        return o;
    }
}
