package io.podnet.policy.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.policy.compile.CompileOptions;
import io.podnet.policy.compile.NodeView;
import io.podnet.policy.compile.PolicyCompiler;
import io.podnet.policy.compile.PolicyInputs;
import io.podnet.policy.model.NamedPort;
import io.podnet.policy.model.Namespace;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.policy.nft.Ruleset;
import io.podnet.policy.nft.RulesetDiff;
import io.podnet.testkit.Daemons;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A one-node cluster in throwaway namespaces for kernel-level policy tests: a node namespace and one namespace
 * per pod, wired the way podnet wires them, TCP and UDP echo servers (socat) on ports 80 and 81 in every pod,
 * and the compiled ruleset loaded with {@code nft -f} in the node namespace.
 * <ul>
 *   <li>{@link Wiring#ROUTED}: calico mode: a veth per pod (host end {@code ee:ee:ee:ee:ee:ee}), the pod's /32
 *       routed to it, the pod's gateway 169.254.1.1 a permanent neighbour (as {@code RoutedNetwork} does);</li>
 *   <li>{@link Wiring#BRIDGED}: bridge mode without br_netfilter ({@code bridge-nf-call-iptables=0} in the node):
 *       pod ports isolated, the node answers ARP for the subnet ({@code proxy_arp_pvlan}) and routes pod-to-pod
 *       traffic back onto the bridge, through the inet hooks;</li>
 *   <li>{@link Wiring#BRIDGED_BR_NETFILTER}: a plain bridge with br_netfilter on (the kernel's default here):
 *       bridged pod-to-pod traffic passes the inet hooks as bridged packets.</li>
 * </ul>
 * Everything carries the run's prefix and {@link #close()} removes it (servers killed by PID, namespaces deleted).
 */
final class PolicyLab implements AutoCloseable {
    enum Wiring { ROUTED, BRIDGED, BRIDGED_BR_NETFILTER }

    /** A pod: Kubernetes namespace and name, its network namespace, host-side interface, address, labels, named ports. */
    record Pod(String namespace, String name, Netns netns, String hostIf, String ip, Map<String, String> labels, List<NamedPort> ports) {
        String id() { return namespace + "/" + name; }
    }

    private final Wiring wiring;
    private final Netns node;
    private final List<Pod> pods = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();
    private final Map<String, Map<String, String>> labelOverrides = new LinkedHashMap<>();
    private final PolicyCompiler compiler = new PolicyCompiler(CompileOptions.DEFAULTS.withFamilies(Set.of(IpFamily.V4)));
    private final ExecutorService probes = Executors.newFixedThreadPool(12);
    private Ruleset current = Ruleset.EMPTY;

    private PolicyLab(Wiring wiring) {
        this.wiring = wiring;
        this.node = Netns.create("n");
    }

    /** Makes the node and pods {@code "ns/name k=v,k=v [port-name=80/TCP ...]"} with servers running. */
    static PolicyLab create(Wiring wiring, List<String> podSpecs) {
        PolicyLab lab = new PolicyLab(wiring);
        try {
            lab.setUpNode();
            int i = 1;
            for (String spec : podSpecs) lab.addPod(spec, i++);
            for (Pod p : lab.pods) lab.startServers(p);
            for (Pod p : lab.pods) lab.awaitServers(p);
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    Wiring wiring() { return wiring; }

    Netns node() { return node; }

    Pod pod(String id) {
        return pods.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException("no pod " + id));
    }

    List<Pod> pods() { return List.copyOf(pods); }

    private void setUpNode() {
        sysctl(node, "net.ipv4.ip_forward", "1");
        if (wiring == Wiring.ROUTED) {
            Sh.ip(node.name(), "addr", "add", "10.64.0.1/32", "dev", "lo");
            return;
        }
        Sh.ip(node.name(), "link", "add", "br0", "type", "bridge");
        Sh.ip(node.name(), "addr", "add", "10.71.0.1/24", "dev", "br0");
        Sh.ip(node.name(), "link", "set", "br0", "up");
        if (wiring == Wiring.BRIDGED) {
            sysctl(node, "net.bridge.bridge-nf-call-iptables", "0");
            sysctl(node, "net.bridge.bridge-nf-call-ip6tables", "0");
            sysctl(node, "net.bridge.bridge-nf-call-arptables", "0");
            sysctl(node, "net.ipv4.conf.br0.proxy_arp_pvlan", "1");
            sysctl(node, "net.ipv4.neigh.br0.proxy_delay", "0");
            sysctl(node, "net.ipv4.conf.all.send_redirects", "0");
            sysctl(node, "net.ipv4.conf.br0.send_redirects", "0");
        } else {
            sysctl(node, "net.bridge.bridge-nf-call-iptables", "1");
        }
    }

    private void addPod(String spec, int i) {
        String[] parts = spec.trim().split("\\s+");
        String[] id = parts[0].split("/");
        Map<String, String> labels = new LinkedHashMap<>();
        List<NamedPort> ports = new ArrayList<>();
        for (int k = 1; k < parts.length; k++) {
            if (parts[k].contains("/")) { // name=port/PROTO
                String[] np = parts[k].split("[=/]");
                ports.add(new NamedPort(np[0], io.podnet.policy.model.Protocol.parse(np[2]), Integer.parseInt(np[1])));
            } else {
                for (String kv : parts[k].split(",")) labels.put(kv.split("=")[0], kv.split("=")[1]);
            }
        }
        Netns ns = Netns.create("p");
        String hostIf = RunId.name("v");
        boolean routed = wiring == Wiring.ROUTED;
        String ip = routed ? "10.70.0." + i : "10.71.0." + (10 + i);
        Pod pod = new Pod(id[0], id[1], ns, hostIf, ip, labels, ports);
        pods.add(pod);
        Sh.ip(node.name(), "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", ns.name());
        if (routed) {
            Sh.ip(node.name(), "link", "set", hostIf, "address", "ee:ee:ee:ee:ee:ee", "up");
            Sh.ip(ns.name(), "addr", "add", ip + "/32", "dev", "eth0");
            Sh.ip(ns.name(), "link", "set", "eth0", "up");
            Sh.ip(ns.name(), "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
            Sh.ip(ns.name(), "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
            Sh.ip(ns.name(), "neigh", "add", "169.254.1.1", "lladdr", "ee:ee:ee:ee:ee:ee", "dev", "eth0", "nud", "permanent");
            Sh.ip(node.name(), "route", "add", ip + "/32", "dev", hostIf, "scope", "link");
        } else {
            Sh.ip(node.name(), "link", "set", hostIf, "master", "br0", "up");
            if (wiring == Wiring.BRIDGED) Sh.ip(node.name(), "link", "set", hostIf, "type", "bridge_slave", "isolated", "on");
            Sh.ip(ns.name(), "addr", "add", ip + "/24", "dev", "eth0");
            Sh.ip(ns.name(), "link", "set", "eth0", "up");
            Sh.ip(ns.name(), "route", "add", "default", "via", "10.71.0.1", "dev", "eth0");
        }
    }

    private void startServers(Pod p) {
        for (int port : new int[] {80, 81}) {
            servers.add(start(p.netns(), "socat", "TCP-LISTEN:" + port + ",fork,reuseaddr", "PIPE"));
            servers.add(start(p.netns(), "socat", "UDP-RECVFROM:" + port + ",fork", "PIPE"));
        }
    }

    private void awaitServers(Pod p) {
        Daemons.awaitTrue("servers in " + p.id(), java.time.Duration.ofSeconds(20), () -> {
            String out = p.netns().exec("ss", "-Hltnu").out();
            return out.contains(":80 ") && out.contains(":81 ") && out.lines().count() >= 4;
        });
    }

    private static Process start(Netns ns, String... cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        c.addAll(List.of(cmd));
        try {
            return new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sysctl(Netns ns, String key, String value) {
        ns.exec("sysctl", "-qw", key + "=" + value).check();
    }

    /** The pods as workload endpoints on node1 (with label overrides applied). */
    List<Resource> endpoints() {
        List<Resource> out = new ArrayList<>();
        for (String ns : pods.stream().map(Pod::namespace).distinct().toList()) out.add(new Namespace(ns, Map.of("ns", ns)));
        for (Pod p : pods) {
            out.add(new WorkloadEndpoint(p.namespace(), p.name(), "node1", p.hostIf(), List.of(IpAddress.parse(p.ip())),
                    labelOverrides.getOrDefault(p.id(), p.labels()), p.ports()));
        }
        return out;
    }

    void relabel(String podId, Map<String, String> labels) {
        pod(podId);
        labelOverrides.put(podId, labels);
    }

    Ruleset compile(List<Resource> policies) {
        List<Resource> all = new ArrayList<>(endpoints());
        all.addAll(policies);
        NodeView view = wiring == Wiring.ROUTED ? NodeView.routed("node1") : NodeView.bridged("node1");
        return compiler.compile(PolicyInputs.of(all), view);
    }

    /** Replaces podnet's tables with {@code r} in one transaction. */
    void apply(Ruleset r) {
        nft(r.renderReplace());
        current = r;
    }

    /** Moves the kernel from the last applied ruleset to {@code r} with the diff only; returns the transaction text. */
    String applyDiff(Ruleset r) {
        String tx = RulesetDiff.between(current, r).render();
        if (!tx.isEmpty()) nft(tx);
        current = r;
        return tx;
    }

    /** Runs {@code nft -f} with {@code text} in the node; the result (exit code and messages). */
    Sh.Result nftResult(String text) {
        try {
            Path f = Files.createTempFile(RunId.prefix() + "-nft", ".nft");
            try {
                Files.writeString(f, text);
                return node.exec("nft", "-f", f.toString());
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void nft(String text) {
        Sh.Result r = nftResult(text);
        assertThat(r.ok()).as("nft -f failed: " + r.err() + "\n" + text).isTrue();
    }

    String listRuleset() {
        return node.exec("nft", "list", "ruleset").check().out();
    }

    /** One probe: TCP or UDP to a port, or ICMP echo. */
    record Probe(String from, String to, String proto, int port, boolean allowed) {
        @Override public String toString() {
            return from + " -> " + to + " " + proto + (port > 0 ? "/" + port : "") + (allowed ? " allowed" : " denied");
        }
    }

    static Probe allow(String from, String to, String protoPort) {
        return probe(from, to, protoPort, true);
    }

    static Probe deny(String from, String to, String protoPort) {
        return probe(from, to, protoPort, false);
    }

    private static Probe probe(String from, String to, String protoPort, boolean allowed) {
        String[] pp = protoPort.split("/");
        return new Probe(from, to, pp[0], pp.length > 1 ? Integer.parseInt(pp[1]) : 0, allowed);
    }

    /** Runs every probe (in parallel) and fails listing each one whose outcome differs from what it expects. */
    void expect(Probe... expected) {
        List<Future<String>> results = new ArrayList<>();
        for (Probe p : expected) results.add(probes.submit(() -> {
            boolean got = reach(p);
            // Allowed probes get retries: a loaded machine may delay a server; a denied one must never connect.
            for (int attempt = 1; p.allowed() && !got && attempt < 3; attempt++) got = reach(p);
            return got == p.allowed() ? null : p + " but it was " + (got ? "allowed" : "denied");
        }));
        List<String> wrong = new ArrayList<>();
        for (Future<String> f : results) {
            try {
                String w = f.get();
                if (w != null) wrong.add(w);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        assertThat(wrong).as("probes that did not behave as expected (" + wiring + ")").isEmpty();
    }

    /** True if a connection (or echo) from {@code p.from} reaches {@code p.to} and the reply comes back. */
    boolean reach(Probe p) {
        Netns from = p.from().equals("node") ? node : pod(p.from()).netns();
        String ip = p.to().equals("node") ? (wiring == Wiring.ROUTED ? "10.64.0.1" : "10.71.0.1") : pod(p.to()).ip();
        return switch (p.proto()) {
            case "icmp" -> from.exec("ping", "-c1", "-W1", ip).ok();
            case "tcp" -> echo(from, "TCP:" + ip + ":" + p.port() + ",connect-timeout=1");
            case "udp" -> echo(from, "UDP:" + ip + ":" + p.port());
            default -> throw new IllegalArgumentException(p.proto());
        };
    }

    private static boolean echo(Netns from, String address) {
        Sh.Result r = from.exec("sh", "-c", "echo podnet-probe | timeout 3 socat -T1 - " + address);
        return r.ok() && r.out().contains("podnet-probe");
    }

    @Override
    public void close() {
        probes.shutdownNow();
        for (Process p : servers) Daemons.killAndWait(p.pid());
        for (Pod p : pods) p.netns().close();
        node.close();
    }
}
