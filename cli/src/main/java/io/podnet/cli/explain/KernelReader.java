package io.podnet.cli.explain;

import io.podnet.cli.explain.nft.NftRuleset;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one namespace into an {@link NsSnapshot}: links, addresses, routes of every table, neighbours and FDB
 * through an rtnetlink handle opened inside it; IPv4 policy rules, veth peer namespace ids and the nft ruleset
 * through {@code ip -j rule}, {@code ip netns list-id} and {@code nft -j list ruleset} run inside it
 * ({@code nsenter --net=PATH}); the forwarding sysctls from its {@code /proc/sys/net} on a platform thread
 * inside it. Nothing is changed.
 */
public final class KernelReader {
    private static final Pattern NSID = Pattern.compile("nsid (\\d+) \\(iproute2 netns name: ([^)]+)\\)");
    private static final List<String> CONF_KEYS = List.of("rp_filter", "forwarding", "proxy_arp", "arp_ignore");

    private KernelReader() {}

    /**
     * Reads {@code ns} as snapshot {@code name}. {@code rename} maps a real namespace name (as {@code ip netns}
     * knows it) to the name of its snapshot, so veth peers point at snapshots.
     */
    public static NsSnapshot read(String name, NsSnapshot.Role role, String node, NetNs ns, Function<String, String> rename) throws IOException {
        NsSnapshot.Builder b = NsSnapshot.builder(name, role, node);
        List<Link> links;
        try (Rtnetlink h = Rtnetlink.open(ns)) {
            links = h.links().list().stream().map(KernelReader::vethPeerIndex).toList();
            b.links(links).addresses(h.addresses().list()).routes(h.routes().listAll()).neighbors(h.neighbors().list()).fdb(h.fdb().list());
        }
        String rules = run(ns, List.of("ip", "-j", "rule", "show")); // IPv4: the families explain walks
        if (!rules.isBlank()) b.rules(RoutingRule.parseIpJson(rules));
        Matcher m = NSID.matcher(run(ns, List.of("ip", "netns", "list-id")));
        while (m.find()) b.peerNamespace(Integer.parseInt(m.group(1)), rename.apply(m.group(2)));
        String json = run(ns, List.of("nft", "-j", "list", "ruleset"));
        if (!json.isBlank()) b.nft(NftRuleset.parse(json).withText(run(ns, List.of("nft", "-a", "list", "ruleset"))));
        readSysctls(ns, links).forEach(b::sysctl);
        return b.build();
    }

    /**
     * A veth whose peer lives in another namespace under the same ifindex comes back from the rtnetlink library
     * without its peer index (it drops an {@code IFLA_LINK} equal to the link's own index, which is right only within
     * one namespace); with a peer namespace and no index, the peer's index is the link's own.
     */
    static Link vethPeerIndex(Link l) {
        if (!(l.kind() instanceof LinkKind.Veth) || l.parentIndex().isPresent() || l.linkNetnsId().isEmpty()) return l;
        return new Link(l.index(), l.name(), l.kind(), l.mtu(), l.mac(), l.flags(), l.operState(), l.masterIndex(),
                OptionalInt.of(l.index()), l.linkNetnsId());
    }

    /** The forwarding-relevant sysctls, keyed by their path under /proc/sys. */
    static Map<String, String> readSysctls(NetNs ns, List<Link> links) throws IOException {
        List<String> keys = new ArrayList<>(List.of("net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding"));
        List<String> devs = new ArrayList<>(List.of("all"));
        links.forEach(l -> devs.add(l.name()));
        for (String d : devs) for (String k : CONF_KEYS) keys.add("net/ipv4/conf/" + d + "/" + k);
        java.util.concurrent.Callable<Map<String, String>> read = () -> {
            Map<String, String> out = new HashMap<>();
            for (String k : keys) {
                Path p = Path.of("/proc/sys", k);
                if (Files.isReadable(p)) out.put(k, readProc(p));
            }
            return out;
        };
        if (ns.isCurrent()) {
            try {
                return read.call();
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        return Namespaces.runIn(ns, read);
    }

    /**
     * A file under /proc, stripped. Not {@code Files.readString}: on JDK 25 it returns only the first byte of a
     * procfs sysctl file (which reports size 0), e.g. "4" for {@code tcp_rmem}'s "4096 131072 6291456".
     */
    public static String readProc(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    /** Runs a read-only command inside {@code ns}; its stdout, or "" when it fails (stderr is ignored). */
    static String run(NetNs ns, List<String> cmd) throws IOException {
        List<String> full = new ArrayList<>();
        if (!ns.isCurrent()) full.addAll(List.of("nsenter", "--net=" + ns.path()));
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading " + ns, e);
        }
        return p.exitValue() == 0 ? out : "";
    }
}
