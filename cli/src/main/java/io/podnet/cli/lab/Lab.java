package io.podnet.cli.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.net.IpAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running lab: create, grow, break and remove it. All processes it starts are recorded by PID in the state
 * and killed only by that PID. See the package doc for the topology.
 */
public final class Lab {
    static final String UNDERLAY = "192.168.200.";
    static final String ETCD_IP = UNDERLAY + "254";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How to run a lab: its name, backend, where its files go, how to start an agent, where the CNI plugin is. */
    public record Options(String name, String mode, Path baseDir, List<String> agentCommand, Path cniBinDir, PrintStream progress) {
        public Path dir() { return baseDir.resolve(name); }

        public String prefix() { return "pn" + name; }
    }

    private final Options opts;
    private final LabState state;
    /** The neighbour-table need registered for this lab so far (see {@link #sizeNeighbourTable}). */
    private long plannedNeed;

    private Lab(Options opts, LabState state) {
        this.opts = opts;
        this.state = state;
    }

    public LabState state() { return state; }

    public Options options() { return opts; }

    /** Opens an existing lab from its state file. */
    public static Lab open(Options opts) throws IOException {
        return new Lab(opts, LabState.load(opts.dir()));
    }

    /** Builds the lab: switch, etcd, overlay config, nodes with agents, pods. */
    public static Lab up(Options opts, int nodes, int podsPerNode) throws IOException, InterruptedException {
        checkMode(opts.mode());
        if (Files.exists(opts.dir().resolve("state.json"))) {
            throw new IOException("lab " + opts.name() + " already exists at " + opts.dir() + " (run `podnet lab down` first)");
        }
        Files.createDirectories(opts.dir());
        LabState s = new LabState();
        s.name = opts.name();
        s.prefix = opts.prefix();
        s.mode = opts.mode();
        s.dir = opts.dir().toString();
        Lab lab = new Lab(opts, s);
        s.save();
        List<Integer> planned = new ArrayList<>();
        for (int i = 0; i < nodes; i++) planned.add(podsPerNode);
        lab.sizeNeighbourTable(planned);
        lab.createSwitch();
        lab.startEtcd();
        lab.writeOverlayConfig();
        List<LabState.Node> created = new ArrayList<>();
        for (int i = 0; i < nodes; i++) created.add(lab.createNode());
        for (LabState.Node n : created) lab.startAgent(n);
        for (LabState.Node n : created) lab.awaitAgent(n);
        for (LabState.Node n : created) {
            for (int p = 0; p < podsPerNode; p++) lab.addPod(n);
        }
        if (lab.routed()) {
            if (!lab.awaitRoutes(java.time.Duration.ofSeconds(60))) {
                throw new IOException("BGP did not converge in 60 s; missing routes: " + lab.missingRoutes());
            }
            lab.say("BGP converged: every node routes every other node's pods via that node");
        }
        return lab;
    }

    private void say(String fmt, Object... args) {
        if (opts.progress() != null) opts.progress().printf("[lab] " + fmt + "%n", args);
    }

    private String nsName(String suffix) { return state.prefix + "-" + suffix; }

    private void createSwitch() throws IOException {
        NetNs sw = NetNs.create(nsName("sw"));
        try (Rtnetlink h = Rtnetlink.open(sw)) {
            h.links().setUp("lo");
            h.links().add(LinkAttrs.named("br0").up(), new LinkKind.Bridge());
            h.addresses().add(Address.of("br0", ETCD_IP + "/24"));
        }
        say("underlay switch %s (bridge br0, %s0/24)", sw, UNDERLAY);
    }

    private void startEtcd() throws IOException, InterruptedException {
        Path data = opts.dir().resolve("etcd");
        state.etcdUrl = "http://" + ETCD_IP + ":2379";
        Process p = spawn(nsName("sw"), List.of("etcd", "--name", "lab", "--data-dir", data.toString(),
                "--listen-client-urls", state.etcdUrl, "--advertise-client-urls", state.etcdUrl,
                "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                "--initial-cluster", "lab=http://127.0.0.1:2380", "--heartbeat-interval", "10", "--election-timeout", "100"),
                opts.dir().resolve("etcd.log"));
        state.etcdPid = p.pid();
        state.save();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!etcdctl("endpoint", "health").ok()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("etcd did not become healthy; see " + opts.dir().resolve("etcd.log"));
            }
            Thread.sleep(50);
        }
        say("etcd %s (pid %d)", state.etcdUrl, state.etcdPid);
    }

    /** The calico-style routed mode (pods on /32 routes, BGP mesh between the nodes) rather than a flannel backend. */
    public static final String CALICO_BGP = "calico-bgp";
    /** The routed mode's IP pool (Calico's default is 192.168.0.0/16, which would overlap the lab's underlay). */
    static final String CALICO_POOL = "10.65.0.0/16";

    boolean routed() { return CALICO_BGP.equals(state.mode); }

    /** Checks a mode name: a flannel backend or {@value #CALICO_BGP}. */
    public static void checkMode(String mode) {
        if (!List.of("vxlan", "host-gw", "udp", CALICO_BGP).contains(mode)) {
            throw new IllegalArgumentException("--mode must be vxlan, host-gw, udp or " + CALICO_BGP + ", not " + mode);
        }
    }

    private void writeOverlayConfig() throws IOException {
        checkMode(state.mode);
        if (routed()) {
            say("calico-bgp: IP pool %s (blocks of /26), node-to-node BGP mesh, AS %d", CALICO_POOL, 64512);
            return; // the pool is created by the first agent (calicoIpam.ipv4Pool)
        }
        String backend = switch (state.mode) {
            case "vxlan" -> "{\"Type\":\"vxlan\",\"VNI\":1,\"Port\":8472}";
            case "host-gw" -> "{\"Type\":\"host-gw\"}";
            default -> "{\"Type\":\"udp\",\"Port\":8285}";
        };
        String cfg = "{\"Network\":\"10.244.0.0/16\",\"SubnetLen\":24,\"Backend\":" + backend + "}";
        Result r = etcdctl("put", "/coreos.com/network/config", cfg);
        if (!r.ok()) throw new IOException("writing the overlay config failed: " + r.out());
        say("overlay config /coreos.com/network/config = %s", cfg);
    }

    /** Runs etcdctl against the lab's etcd (inside the switch namespace). */
    public Result etcdctl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nsName("sw"), "etcdctl", "--endpoints", state.etcdUrl,
                "--command-timeout=3s"));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of("ETCDCTL_API", "3"), null);
    }

    private LabState.Node createNode() throws IOException {
        int k = state.nextNode++;
        LabState.Node n = new LabState.Node();
        n.name = "n" + k;
        n.ns = nsName(n.name);
        n.ip = UNDERLAY + k;
        n.socket = opts.dir().resolve(n.name).resolve("cni.sock").toString();
        Files.createDirectories(opts.dir().resolve(n.name));
        NetNs ns = NetNs.create(n.ns);
        try (Rtnetlink h = Rtnetlink.open(ns); Rtnetlink sw = Rtnetlink.open(NetNs.named(nsName("sw")))) {
            h.links().setUp("lo");
            h.links().add(LinkAttrs.named("eth0").up(), LinkKind.Veth.peerIn(n.name, sw.namespace()));
            sw.links().setMaster(n.name, "br0");
            sw.links().setUp(n.name);
            h.addresses().add(Address.of("eth0", n.ip + "/24"));
        }
        state.nodes.add(n);
        state.save();
        say("node %s: namespace %s, eth0 %s/24", n.name, n.ns, n.ip);
        return n;
    }

    /** Starts (or restarts) a node's agent. */
    public void startAgent(LabState.Node n) throws IOException {
        Path nd = opts.dir().resolve(n.name);
        List<String> cmd = new ArrayList<>(opts.agentCommand());
        cmd.addAll(List.of("agent", "--node-name", n.name, "--state-dir", nd.resolve("state").toString(),
                "--cni-socket", n.socket));
        if (routed()) {
            Path cfg = nd.resolve("agent.yaml");
            Files.writeString(cfg, """
                    # podnet agent in calico-style routed mode (written by `podnet lab up --mode calico-bgp`)
                    etcd:
                      endpoints: [%s]
                    calicoIpam:
                      enabled: true
                      ipv4Pool: {cidr: %s, blockSize: 26, ipip: Never, vxlan: Never, natOutgoing: true}
                    routed:
                      enabled: true
                      ipAutodetectionMethod: interface=eth0
                    """.formatted(state.etcdUrl, CALICO_POOL));
            cmd.addAll(List.of("--config", cfg.toString()));
        } else {
            cmd.addAll(List.of("--etcd-endpoints", state.etcdUrl, "--overlay", "--iface", "eth0", "--subnet-file", nd.resolve("subnet.env").toString()));
        }
        Files.deleteIfExists(Path.of(n.socket));
        Process p = spawn(n.ns, cmd, nd.resolve("agent.log"));
        n.agentPid = p.pid();
        state.save();
        say("node %s: agent started (pid %d)", n.name, n.agentPid);
    }

    /** Waits until an agent serves its CNI socket and has written subnet.env. */
    public void awaitAgent(LabState.Node n) throws IOException, InterruptedException {
        Path nd = opts.dir().resolve(n.name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(Path.of(n.socket)) && (routed() || Files.exists(nd.resolve("subnet.env"))))) {
            boolean alive = ProcessHandle.of(n.agentPid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive || System.nanoTime() > deadline) {
                throw new IOException("agent of " + n.name + " did not come up; log " + nd.resolve("agent.log") + ":\n" + tail(nd.resolve("agent.log")));
            }
            Thread.sleep(50);
        }
        if (routed()) {
            say("node %s: agent ready (routed, BGP on %s:179)", n.name, n.ip);
            return;
        }
        String subnet = Files.readAllLines(nd.resolve("subnet.env")).stream().filter(l -> l.startsWith("FLANNEL_SUBNET=")).findFirst().orElse("");
        say("node %s: agent ready, %s", n.name, subnet);
    }

    /**
     * Raises the host-wide neighbour table thresholds for this lab's pods (recorded and restored by {@link #down}):
     * every namespace of the lab shares the kernel's one table ({@link NeighThresholds}).
     */
    private void sizeNeighbourTable(List<Integer> podsPerNode) throws IOException {
        long need = NeighThresholds.needed(podsPerNode);
        plannedNeed = need;
        NeighThresholds.host().raise(opts.dir().toAbsolutePath().toString(), need);
        say("neighbour table: gc_thresh1/2/3 at least %d/%d/%d for %d pods (restored by lab down)", NeighThresholds.targets(need)[0],
                NeighThresholds.targets(need)[1], NeighThresholds.targets(need)[2], podsPerNode.stream().mapToInt(Integer::intValue).sum());
    }

    /** Creates a pod namespace on a node and attaches it through the CNI plugin, as a runtime does. */
    public LabState.Pod addPod(LabState.Node n) throws IOException {
        List<Integer> counts = new ArrayList<>();
        for (LabState.Node x : state.nodes) counts.add(x.pods.size() + (x == n ? 1 : 0));
        if (NeighThresholds.needed(counts) > plannedNeed) sizeNeighbourTable(counts); // a pod beyond the plan
        LabState.Pod p = new LabState.Pod();
        p.node = n.name;
        p.name = n.name + "-p" + (n.pods.size() + 1);
        while (state.pods().stream().anyMatch(x -> x.name.equals(p.name))) p.name = p.name + "x";
        p.ns = nsName(p.name);
        NetNs.create(p.ns);
        Result r = cni("ADD", n, p);
        if (!r.ok()) {
            NetNs.named(p.ns).deleteIfPresent();
            throw new IOException("CNI ADD for pod " + p.name + " failed: " + r.out());
        }
        JsonNode res = JSON.readTree(r.out());
        p.ip = res.path("ips").path(0).path("address").asText().replaceAll("/.*", "");
        n.pods.add(p);
        state.save();
        say("pod %s on %s: %s", p.name, n.name, p.ip);
        return p;
    }

    /**
     * Executes the lab's CNI plugin for a pod with the env and stdin a runtime would use: podnet-flannel, or in
     * calico-bgp mode podnet-routed with podnet-calico-ipam (Calico's calico + calico-ipam).
     */
    Result cni(String command, LabState.Node n, LabState.Pod p) throws IOException {
        Path nd = opts.dir().resolve(n.name);
        String type = routed() ? "podnet-routed" : "podnet-flannel";
        String conf = routed()
                ? "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"podnet-routed\",\"ipam\":{\"type\":\"podnet-calico-ipam\"}}"
                : "{\"cniVersion\":\"1.0.0\",\"name\":\"podnet-lab\",\"type\":\"podnet-flannel\",\"subnetFile\":\""
                + nd.resolve("subnet.env") + "\",\"dataDir\":\"" + nd.resolve("flannel-cni") + "\",\"delegate\":{\"hairpinMode\":true}}";
        Map<String, String> env = Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", p.name, "CNI_NETNS", "/run/netns/" + p.ns,
                "CNI_IFNAME", "eth0", "CNI_PATH", opts.cniBinDir().toString(), "PODNET_AGENT_SOCKET", n.socket);
        return run(List.of("ip", "netns", "exec", n.ns, opts.cniBinDir().resolve(type).toString()), env, conf);
    }

    /**
     * Routed mode: waits until every node routes every other node's pods through that node (BGP has converged);
     * false if {@code timeout} passes first.
     */
    public boolean awaitRoutes(java.time.Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (missingRoutes().isEmpty()) return true;
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(100);
        }
    }

    /** Routed mode: "node: pod" pairs whose route is missing (no route via the pod's node covers the pod's address). */
    public List<String> missingRoutes() throws IOException {
        List<String> missing = new ArrayList<>();
        for (LabState.Node n : state.nodes) {
            List<io.podnet.rtnetlink.Route> routes;
            try (Rtnetlink h = Rtnetlink.open(NetNs.named(n.ns))) {
                routes = h.routes().list(io.podnet.net.IpFamily.V4, 254);
            }
            for (LabState.Node other : state.nodes) {
                if (other == n) continue;
                IpAddress via = IpAddress.parse(other.ip);
                for (LabState.Pod p : other.pods) {
                    IpAddress ip = IpAddress.parse(p.ip);
                    io.podnet.rtnetlink.Route best = null;
                    for (io.podnet.rtnetlink.Route r : routes) {
                        if (r.dst().contains(ip) && (best == null || r.dst().length() > best.dst().length())) best = r;
                    }
                    if (best == null || !best.gateway().map(via::equals).orElse(false)) missing.add(n.name + ": " + p.name + " " + p.ip);
                }
            }
        }
        return missing;
    }

    /** Adds a node with its agent and pods. */
    public LabState.Node addNode(int pods) throws IOException, InterruptedException {
        LabState.Node n = addNodeNoWait();
        awaitAgent(n);
        for (int i = 0; i < pods; i++) addPod(n);
        return n;
    }

    /** Creates a node and starts its agent without waiting for it to get a lease. */
    public LabState.Node addNodeNoWait() throws IOException {
        LabState.Node n = createNode();
        startAgent(n);
        return n;
    }

    /** Stops the lab's etcd (SIGKILL, by PID), to see what an etcd outage does. */
    public void stopEtcd() throws IOException {
        kill(state.etcdPid);
        state.etcdPid = 0;
        state.save();
        say("etcd stopped");
    }

    /** Starts the lab's etcd again on the same address and data. */
    public void restartEtcd() throws IOException, InterruptedException {
        startEtcd();
    }

    /** Kills a node's agent (SIGKILL, by PID): the dataplane it programmed stays. */
    public void killAgent(LabState.Node n) throws IOException {
        kill(n.agentPid);
        n.agentPid = 0;
        state.save();
        say("node %s: agent killed", n.name);
    }

    /** Removes a node: deletes its pods (CNI DEL), stops its agent, deletes its lease and namespaces. */
    public void removeNode(LabState.Node n) throws IOException {
        for (LabState.Pod p : n.pods) {
            cni("DEL", n, p);
            NetNs.named(p.ns).deleteIfPresent();
        }
        kill(n.agentPid);
        if (routed()) {
            // what `calicoctl delete node` does first: the others drop their sessions to it and its routes
            etcdctl("del", "/calico/resources/v3/projectcalico.org/nodes/" + n.name);
        }
        Result leases = etcdctl("get", "/coreos.com/network/subnets/", "--prefix");
        String[] lines = leases.out().split("\n");
        for (int i = 0; i + 1 < lines.length; i += 2) {
            if (lines[i + 1].contains("\"PublicIP\":\"" + n.ip + "\"")) etcdctl("del", lines[i].strip());
        }
        NetNs.named(n.ns).deleteIfPresent();
        state.nodes.remove(n);
        state.save();
        say("node %s removed (lease deleted)", n.name);
    }

    /** Removes everything the lab made. Works from the state file, and by prefix when the state is lost. */
    public static void down(Options opts) throws IOException {
        Path dir = opts.dir();
        String prefix = opts.prefix();
        if (Files.exists(dir.resolve("state.json"))) {
            LabState s = LabState.load(dir);
            prefix = s.prefix;
            for (LabState.Node n : s.nodes) kill(n.agentPid);
            kill(s.etcdPid);
        }
        for (String ns : namespaces()) {
            if (ns.startsWith(prefix + "-")) NetNs.named(ns).deleteIfPresent();
        }
        NeighThresholds.host().release(dir.toAbsolutePath().toString()); // the last lab out restores the originals
        deleteTree(dir);
    }

    static List<String> namespaces() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(NetNs.NETNS_RUN_DIR)) return out;
        try (var s = Files.list(NetNs.NETNS_RUN_DIR)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }

    /** Kills a process we started, by PID, only if it still looks like ours (etcd or a java/podnet agent). */
    static void kill(long pid) {
        if (pid <= 0) return;
        ProcessHandle.of(pid).ifPresent(ph -> {
            String cmd = ph.info().commandLine().orElse("");
            if (!(cmd.contains("etcd") || cmd.contains("podnet") || cmd.contains("java"))) return;
            ph.destroyForcibly();
            try {
                ph.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort; reported by the caller's checks
            }
        });
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Starts a long-running process inside a namespace, detached from our terminal, output to a log. */
    private static Process spawn(String ns, List<String> cmd, Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of("setsid", "ip", "netns", "exec", ns));
        full.addAll(cmd);
        return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    /** The outcome of a short command. */
    public record Result(int exit, String out) {
        public boolean ok() { return exit == 0; }
    }

    static Result run(List<String> cmd, Map<String, String> env, String stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), out);
    }

    static String tail(Path log) {
        try {
            List<String> l = Files.readAllLines(log);
            return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
