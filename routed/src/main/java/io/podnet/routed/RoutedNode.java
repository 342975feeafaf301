package io.podnet.routed;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.bgp.rib.BestPathChange;
import io.podnet.bgp.speaker.PeerConfig;
import io.podnet.bgp.speaker.PeerStatus;
import io.podnet.bgp.speaker.Speaker;
import io.podnet.bgp.speaker.SpeakerConfig;
import io.podnet.bgp.speaker.SpeakerContext;
import io.podnet.bgp.speaker.TcpTransport;
import io.podnet.calico.Node;
import io.podnet.calico.ResourceStateException;
import io.podnet.calico.ResourceStore;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.datastore.DatastoreException;
import io.podnet.ipam.cluster.BlockAffinity;
import io.podnet.ipam.cluster.IpamKeys;
import io.podnet.ipam.cluster.IpamReader;
import io.podnet.ipam.cluster.Versioned;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.net.fs.AtomicFile;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteType;
import io.podnet.workload.bridge.Attachment;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One node of the calico-style routed mode (what calico-node's startup, confd and BIRD do there): finds the node's
 * address, publishes it in the Node resource ({@code spec.bgp.ipv4Address}, as Calico stores it, with its length),
 * runs the embedded BGP speaker in the node-to-node mesh, announces the node's blocks (and borrowed pod
 * addresses), and turns what it learns into routes in the node dataplane. Its own blocks get blackhole routes, so
 * an unallocated address in a local block is dropped here rather than sent back to the fabric.
 * <pre>
 *   every second (one thread):  detect address ─▶ Node.spec.bgp ─▶ peers = other Nodes ─▶ exports = my blocks + borrowed /32s
 *                                                                                      └▶ blackhole routes for my blocks
 *   speaker best-path changes ─▶ (same thread) ─▶ route prefix via next hop dev &lt;underlay&gt;  (owner calico-bgp, proto 98)
 * </pre>
 * <p>Complicating factors: the datastore may be down; then nothing changes (sessions, routes and exports stay as
 * they were) and the next tick tries again. IPv4 only (Calico's BIRD instance; the BIRD6 half is not built). The AS
 * is read when the speaker starts (a changed {@code asNumber} needs an agent restart). A next hop that is not on a
 * connected subnet (a multi-hop peer) is not installed and is logged.
 */
public final class RoutedNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RoutedNode.class.getName());
    /** The producer name of BGP-learned routes in the node's route table. */
    public static final String LEARNED_OWNER = "calico-bgp";
    /** The producer name of the blackhole routes for this node's blocks. */
    public static final String BLACKHOLE_OWNER = "calico-blackhole";
    /** Calico's default AS (BGPConfiguration {@code asNumber}). */
    public static final long DEFAULT_AS = 64512;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param node            this node's name (its Node resource)
     * @param ip              a fixed address with length (calico-node's {@code IP=}), or empty to autodetect
     * @param autodetect      {@code IP_AUTODETECTION_METHOD}
     * @param defaultAs       the AS of nodes without {@code spec.bgp.asNumber}
     * @param listenPort      BGP port (179)
     * @param gracefulRestart restart time advertised to peers (they keep our routes this long while we restart)
     * @param syncInterval    how often the datastore is read
     * @param nodeToNodeMesh  peer with every other node
     * @param learnedFile     where the learned routes are kept across an agent restart ({@link #restore})
     * @param statusFile      where each tick writes the sessions' state for {@code podnet node status} ({@link Status})
     */
    public record Settings(String node, Optional<Cidr> ip, AddressAutodetect.Method autodetect, long defaultAs, int listenPort,
                           Duration gracefulRestart, Duration syncInterval, boolean nodeToNodeMesh, Path learnedFile, Path statusFile) {
        public Settings {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(autodetect, "autodetect");
            if (ip.isPresent() && ip.get().family() != IpFamily.V4) throw new IllegalArgumentException("routed.ip must be IPv4: " + ip.get());
            if (listenPort < 1 || listenPort > 65535) throw new IllegalArgumentException("routed.listenPort out of range: " + listenPort);
        }
    }

    private final NodeDataplane dp;
    private final IpamReader reader;
    private final ResourceStore resources;
    private final Settings settings;
    private final ScheduledExecutorService exec;

    // the fields below are touched by the executor thread only
    private Cidr address;
    private Map<IpPrefix, String> connected = Map.of();
    private Speaker speaker;
    private final Map<IpAddress, PeerConfig> peers = new LinkedHashMap<>();
    private final Set<IpPrefix> exported = new HashSet<>();
    private final Map<IpPrefix, Route> learned = new HashMap<>();
    private final Set<IpPrefix> unresolved = new HashSet<>();
    private final Set<IpPrefix> stale = new HashSet<>();   // restored at start, not learned again yet
    private Instant staleUntil = Instant.MAX;
    private Instant allUpSince;                             // when every mesh peer was last seen Established
    private String lastProblem = "";
    private volatile boolean inSync;
    private volatile Optional<Cidr> published = Optional.empty();

    public RoutedNode(NodeDataplane dp, IpamReader reader, Settings settings) {
        this.dp = dp;
        this.reader = reader;
        this.resources = reader.resources();
        this.settings = settings;
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("podnet-routed").unstarted(r));
    }

    /** One learned route as kept in {@code learnedFile}. */
    record Kept(@JsonProperty("prefix") String prefix, @JsonProperty("via") String via, @JsonProperty("dev") String dev) {}

    /**
     * Before the dataplane's first pass (and before {@link #start}): the routes learned before a restart become desired
     * state again, so the first resync keeps them and traffic to other nodes never stops. They are stale until the
     * speaker learns them again; those it does not learn are removed once every mesh peer has been Established for
     * {@link #STALE_SETTLE} (the peers have re-sent their tables), or after the graceful-restart time at the latest.
     */
    public int restore() {
        if (!Files.exists(settings.learnedFile())) return 0;
        try {
            Kept[] kept = JSON.readValue(Files.readAllBytes(settings.learnedFile()), Kept[].class);
            for (Kept k : kept) {
                Route r = Route.via(IpPrefix.parse(k.prefix()), IpAddress.parse(k.via()), k.dev());
                learned.put(r.dst(), r);
                stale.add(r.dst());
                dp.routes().setRoute(LEARNED_OWNER, r);
            }
            staleUntil = Instant.now().plus(settings.gracefulRestart());
            return kept.length;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "routed node " + settings.node() + ": cannot read " + settings.learnedFile() + " ("
                    + e.getMessage() + "); starting without the routes learned before");
            return 0;
        }
    }

    /** How long every peer must be Established before routes not learned again since the restart are dropped. */
    static final Duration STALE_SETTLE = Duration.ofSeconds(3);

    private void persist() {
        List<Kept> out = new ArrayList<>();
        for (Route r : learned.values()) out.add(new Kept(r.dst().toString(), r.gateway().orElseThrow().toString(), r.dev().orElseThrow()));
        out.sort(java.util.Comparator.comparing(Kept::prefix));
        try {
            AtomicFile.write(settings.learnedFile(), JSON.writeValueAsBytes(out), false);
        } catch (IOException e) {
            problem("cannot write " + settings.learnedFile() + ": " + e.getMessage());
        }
    }

    /** Drops the restored routes that were not learned again, once the peers have settled (or the restart time ran out). */
    private void expireStale() {
        if (stale.isEmpty() || speaker == null) return;
        Instant now = Instant.now();
        boolean allUp = false;
        try {
            List<PeerStatus> ps = speaker.peers().get(2, TimeUnit.SECONDS);
            allUp = !ps.isEmpty() && ps.size() == peers.size() && ps.stream().allMatch(p -> p.state() == io.podnet.bgp.fsm.State.ESTABLISHED);
        } catch (Exception e) {
            // unknown: wait for the timer
        }
        if (!allUp) allUpSince = null;
        else if (allUpSince == null) allUpSince = now;
        boolean settled = allUpSince != null && Duration.between(allUpSince, now).compareTo(STALE_SETTLE) >= 0;
        if (!settled && now.isBefore(staleUntil)) return;
        for (IpPrefix p : stale) {
            learned.remove(p);
            dp.routes().removeRoute(LEARNED_OWNER, p);
        }
        LOG.log(System.Logger.Level.INFO, "routed node " + settings.node() + ": dropped " + stale.size() + " restored routes not learned again");
        stale.clear();
        persist();
    }

    /** Starts the loop (the first tick at once); returns at once. */
    public void start() {
        exec.scheduleWithFixedDelay(this::tick, 0, settings.syncInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The node address in use, once found. */
    public Optional<Cidr> address() { return published; }

    /** True after a tick in which the datastore answered and the speaker's peers and exports were brought up to date. */
    public boolean inSync() { return inSync; }

    /** The speaker's sessions (empty before the address is found). */
    public CompletableFuture<List<PeerStatus>> peers() {
        return CompletableFuture.supplyAsync(() -> speaker, exec)
                .thenCompose(s -> s == null ? CompletableFuture.completedFuture(List.of()) : s.peers());
    }

    private void tick() {
        try {
            sync();
            inSync = true;
            problem("");
        } catch (DatastoreException e) {
            inSync = false;
            problem("datastore: " + e.getMessage() + " (keeping sessions, exports and routes as they are)");
        } catch (IOException | RuntimeException e) {
            inSync = false;
            problem(e.toString());
        }
        try {
            writeStatus();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "status file: " + e);
        }
    }

    /**
     * What {@code podnet node status} prints (calicoctl's table), written by every tick.
     *
     * @param updated  when it was written (a reader calls a status older than a few seconds stale: no agent)
     * @param problem  the last tick's problem, empty when in sync
     */
    public record Status(@JsonProperty("node") String node, @JsonProperty("address") String address,
                         @JsonProperty("asNumber") long asNumber, @JsonProperty("updated") String updated,
                         @JsonProperty("problem") String problem, @JsonProperty("peers") List<PeerRow> peers) {}

    /** One session: {@code type} is Calico's peer type ({@code node-to-node mesh}); {@code since} the last state change. */
    public record PeerRow(@JsonProperty("address") String address, @JsonProperty("type") String type,
                          @JsonProperty("node") String node, @JsonProperty("asNumber") long asNumber,
                          @JsonProperty("state") String state, @JsonProperty("since") String since, @JsonProperty("info") String info,
                          @JsonProperty("prefixesReceived") long prefixesReceived, @JsonProperty("prefixesAdvertised") long prefixesAdvertised) {}

    private final Map<IpAddress, Map.Entry<io.podnet.bgp.fsm.State, Instant>> seen = new HashMap<>();

    private void writeStatus() throws IOException {
        List<PeerRow> rows = new ArrayList<>();
        if (speaker != null) {
            List<PeerStatus> ps;
            try {
                ps = speaker.peers().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                ps = List.of();
            }
            Instant now = Instant.now();
            for (PeerStatus p : ps) {
                var last = seen.get(p.address());
                if (last == null || last.getKey() != p.state()) seen.put(p.address(), Map.entry(p.state(), now));
                Instant since = p.state() == io.podnet.bgp.fsm.State.ESTABLISHED ? p.establishedSince().orElse(seen.get(p.address()).getValue())
                        : seen.get(p.address()).getValue();
                String info = p.state() == io.podnet.bgp.fsm.State.ESTABLISHED ? "Established"
                        : stateName(p.state()) + p.lastError().map(e -> " " + e).orElse("");
                rows.add(new PeerRow(p.address().toString(), "node-to-node mesh", peerNodes.getOrDefault(p.address(), ""), p.asn(),
                        p.state() == io.podnet.bgp.fsm.State.ESTABLISHED ? "up" : "start", since.toString(), info,
                        p.counters().prefixesReceived(), p.counters().prefixesAdvertised()));
            }
            seen.keySet().retainAll(ps.stream().map(PeerStatus::address).toList());
        }
        Status st = new Status(settings.node(), address == null ? "" : address.toString(), speaker == null ? 0 : speaker.config().asn(),
                Instant.now().toString(), lastProblem, rows);
        AtomicFile.write(settings.statusFile(), JSON.writeValueAsBytes(st), false);
    }

    private static String stateName(io.podnet.bgp.fsm.State s) {
        return switch (s) {
            case IDLE -> "Idle";
            case CONNECT -> "Connect";
            case ACTIVE -> "Active";
            case OPEN_SENT -> "OpenSent";
            case OPEN_CONFIRM -> "OpenConfirm";
            case ESTABLISHED -> "Established";
        };
    }

    private final Map<IpAddress, String> peerNodes = new HashMap<>();

    /** Logs a problem once, and its end. */
    private void problem(String p) {
        if (p.equals(lastProblem)) return;
        if (p.isEmpty()) LOG.log(System.Logger.Level.INFO, "routed node " + settings.node() + ": in sync again");
        else LOG.log(System.Logger.Level.WARNING, "routed node " + settings.node() + ": " + p);
        lastProblem = p;
    }

    /** One pass; package-private so tests can drive it. */
    void sync() throws IOException {
        connected = connectedSubnets();
        if (address == null) {
            Optional<Cidr> found = settings.ip().isPresent() ? settings.ip() : detect();
            if (found.isEmpty()) throw new IOException("no IPv4 address found by IP autodetection method " + settings.autodetect());
            address = found.get();
        }
        Optional<Node> me = reader.node(settings.node());
        Node self = publish(me);
        if (speaker == null) startSpeaker(MeshPlan.asNumber(Optional.of(self), settings.defaultAs()));
        List<IpPrefix> blocks = new ArrayList<>();
        for (Versioned<BlockAffinity> a : reader.affinities(settings.node(), IpFamily.V4)) {
            if (a.value().state() == BlockAffinity.State.CONFIRMED && !a.value().deleted()) blocks.add(IpamKeys.cidrOf(a.key()));
        }
        List<IpPrefix> exports = MeshPlan.exports(blocks, reader.pools(), podAddresses());
        List<Node> nodes = reader.nodes();
        dp.routes().replaceRoutes(BLACKHOLE_OWNER, blocks.stream().map(b -> Route.to(b).type(RouteType.BLACKHOLE)).toList());
        // exports before peers: a session that comes up at once sends our whole table before its End-of-RIB, so a
        // peer that kept our routes through a restart never flushes them in between (RFC 4724 §4.1)
        syncExports(exports);
        syncPeers(nodes);
        expireStale();
    }

    /** This node's pod addresses: the IPv4 host routes on routed host veths. */
    private List<IpAddress> podAddresses() {
        List<IpAddress> out = new ArrayList<>();
        for (Route r : dp.routes().desiredRoutes()) {
            if (r.dst().family() == IpFamily.V4 && r.dst().length() == 32 && r.type() == RouteType.UNICAST
                    && r.dev().filter(d -> d.startsWith(Attachment.ROUTED_VETH_PREFIX)).isPresent()) {
                out.add(r.dst().address());
            }
        }
        return out;
    }

    /** Writes {@code spec.bgp.ipv4Address} (creating the Node if needed); returns the Node as stored. */
    private Node publish(Optional<Node> me) throws DatastoreException {
        String want = address.toString();
        if (me.isEmpty()) {
            try {
                Node created = resources.create(new Node(io.podnet.calico.ObjectMeta.named(settings.node()),
                        new Node.Spec(new Node.Bgp(null, want, null, null, null), null, null, null, null)));
                published = Optional.of(address);
                LOG.log(System.Logger.Level.INFO, "routed node " + settings.node() + ": created Node with spec.bgp.ipv4Address " + want);
                return created;
            } catch (ResourceStateException e) {
                me = reader.node(settings.node()); // made meanwhile (by IPAM's set-up)
                if (me.isEmpty()) throw e;
            }
        }
        Node n = me.get();
        Node.Spec s = n.spec() == null ? Node.Spec.EMPTY : n.spec();
        Node.Bgp b = s.bgp();
        if (b != null && want.equals(b.ipv4Address())) {
            published = Optional.of(address);
            return n;
        }
        Node.Bgp nb = b == null ? new Node.Bgp(null, want, null, null, null)
                : new Node.Bgp(b.asNumber(), want, b.ipv6Address(), b.ipv4IpipTunnelAddr(), b.routeReflectorClusterId());
        Node updated = resources.update(new Node(n.metadata(), new Node.Spec(nb, s.ipv4VxlanTunnelAddr(), s.vxlanTunnelMacAddr(),
                s.ipv6VxlanTunnelAddr(), s.vxlanTunnelMacAddrV6())));
        published = Optional.of(address);
        LOG.log(System.Logger.Level.INFO, "routed node " + settings.node() + ": spec.bgp.ipv4Address " + want);
        return updated;
    }

    private void startSpeaker(long asn) throws IOException {
        IpAddress ip = address.address();
        SpeakerConfig cfg = SpeakerConfig.of(asn, ip).withListen(new InetSocketAddress(ip.toInetAddress(), settings.listenPort()))
                .withGracefulRestart(settings.gracefulRestart());
        Speaker s = new Speaker(cfg, SpeakerContext.system(new TcpTransport()));
        s.addListener(changes -> exec.execute(() -> learn(changes)));
        s.start();
        speaker = s;
        LOG.log(System.Logger.Level.INFO, "routed node " + settings.node() + ": BGP speaker AS " + asn + " on " + ip + ":" + settings.listenPort());
    }

    private void syncPeers(List<Node> nodes) {
        Map<IpAddress, PeerConfig> want = new LinkedHashMap<>();
        if (settings.nodeToNodeMesh()) {
            for (MeshPlan.Peer p : MeshPlan.meshPeers(settings.node(), nodes, settings.defaultAs())) {
                if (p.address().equals(address.address())) continue; // a stale Node holding our address
                want.put(p.address(), PeerConfig.of(p.address(), p.asNumber()).withLocalAddress(address.address()));
                peerNodes.put(p.address(), p.node());
            }
        }
        for (IpAddress gone : List.copyOf(peers.keySet())) {
            PeerConfig have = peers.get(gone);
            PeerConfig w = want.get(gone);
            if (w != null && w.asn() == have.asn()) continue;
            peers.remove(gone);
            logged(speaker.removePeer(gone), "remove peer " + gone);
            LOG.log(System.Logger.Level.INFO, "routed node " + settings.node() + ": peer " + gone + " removed");
        }
        for (var e : want.entrySet()) {
            if (peers.containsKey(e.getKey())) continue;
            peers.put(e.getKey(), e.getValue());
            logged(speaker.addPeer(e.getValue()), "add peer " + e.getKey());
            LOG.log(System.Logger.Level.INFO, "routed node " + settings.node() + ": mesh peer " + e.getKey() + " AS " + e.getValue().asn());
        }
    }

    private void syncExports(List<IpPrefix> want) {
        Set<IpPrefix> w = new HashSet<>(want);
        for (IpPrefix p : List.copyOf(exported)) {
            if (w.contains(p)) continue;
            exported.remove(p);
            logged(speaker.withdrawRoute(p), "withdraw " + p);
        }
        for (IpPrefix p : want) {
            if (exported.add(p)) logged(speaker.addRoute(p), "announce " + p);
        }
    }

    /** Best-path changes: a learned best path becomes a route via its next hop; a withdrawn or local one goes. */
    private void learn(List<BestPathChange> changes) {
        for (BestPathChange c : changes) {
            IpPrefix p = c.prefix();
            if (p.family() != IpFamily.V4) continue;
            stale.remove(p);
            var best = c.best().filter(r -> !r.source().isLocal());
            if (best.isEmpty()) {
                if (learned.remove(p) != null) dp.routes().removeRoute(LEARNED_OWNER, p);
                unresolved.remove(p);
                continue;
            }
            IpAddress nh = best.get().attrs().nextHop();
            Optional<String> dev = deviceFor(nh);
            if (dev.isEmpty() || (address != null && nh.equals(address.address()))) {
                if (learned.remove(p) != null) dp.routes().removeRoute(LEARNED_OWNER, p);
                if (unresolved.add(p)) {
                    LOG.log(System.Logger.Level.WARNING, "routed node " + settings.node() + ": " + p + " via " + nh
                            + " not installed: the next hop is on no connected subnet");
                }
                continue;
            }
            unresolved.remove(p);
            Route r = Route.via(p, nh, dev.get());
            if (r.equals(learned.put(p, r))) continue;
            dp.routes().setRoute(LEARNED_OWNER, r);
        }
        persist();
    }

    private Optional<String> deviceFor(IpAddress nh) {
        IpPrefix best = null;
        for (IpPrefix p : connected.keySet()) {
            if (p.contains(nh) && (best == null || p.length() > best.length())) best = p;
        }
        return best == null ? Optional.empty() : Optional.of(connected.get(best));
    }

    /** The node's connected IPv4 subnets and their devices (pod veths and tunnels excluded). */
    private Map<IpPrefix, String> connectedSubnets() throws IOException {
        Map<IpPrefix, String> out = new HashMap<>();
        for (AddressAutodetect.Interface i : interfaces()) {
            for (Cidr c : i.addresses()) {
                if (c.family() == IpFamily.V4 && c.length() < 32) out.putIfAbsent(c.prefix(), i.name());
            }
        }
        return out;
    }

    private List<AddressAutodetect.Interface> interfaces() throws IOException {
        List<AddressAutodetect.Interface> out = new ArrayList<>();
        for (Link l : dp.kernel().listLinks()) {
            if (l.name().startsWith(Attachment.ROUTED_VETH_PREFIX)) continue;
            List<Cidr> addrs = dp.kernel().listAddresses(l.name()).stream().map(Address::cidr).toList();
            if (!addrs.isEmpty()) out.add(new AddressAutodetect.Interface(l.name(), addrs));
        }
        return out;
    }

    private Optional<Cidr> detect() throws IOException {
        return AddressAutodetect.detect(settings.autodetect(), IpFamily.V4, interfaces(), RoutedNode::sourceToward);
    }

    /** The source address the kernel picks toward {@code dest} (a connected UDP socket sends nothing). */
    static Optional<IpAddress> sourceToward(String dest) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(IpAddress.parse(dest).toInetAddress(), 9));
            var local = s.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? Optional.empty() : Optional.of(IpAddress.of(local));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void logged(CompletableFuture<?> f, String what) {
        f.whenComplete((v, e) -> {
            if (e != null) LOG.log(System.Logger.Level.WARNING, "routed node " + settings.node() + ": " + what + " failed: " + e.getMessage());
        });
    }

    /** Stops the speaker (peers keep our routes for the graceful-restart time) and the loop; routes stay in the kernel. */
    @Override
    public void close() {
        exec.shutdownNow();
        try {
            exec.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (speaker != null) speaker.abort();
    }
}
