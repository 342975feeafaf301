package io.podnet.agent;

import io.podnet.agent.cni.BridgeCniHandler;
import io.podnet.agent.cni.CniDispatcher;
import io.podnet.agent.cni.FlannelCniHandler;
import io.podnet.cni.CniRequest;
import io.podnet.cni.server.CniServer;
import io.podnet.cnm.CnmConfig;
import io.podnet.cnm.CnmServer;
import io.podnet.dataplane.ExecutorScheduler;
import io.podnet.dataplane.NamespaceSandboxes;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.cni.server.CniHandler;
import io.podnet.ipam.cluster.ClusterIpamService;
import io.podnet.ipam.cni.CalicoIpamCniHandler;
import io.podnet.routed.AddressAutodetect;
import io.podnet.routed.RoutedCniHandler;
import io.podnet.routed.RoutedNode;
import io.podnet.ipam.cni.IpamCniHandler;
import io.podnet.ipam.store.IpamStores;
import io.podnet.net.IpPrefix;
import io.podnet.overlay.node.OverlayNode;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.workload.bridge.BridgeNetworks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The composition root: builds every part of the agent from its config, with explicit constructor wiring, in the
 * order that keeps a restart from removing anything: the node dataplane first (not started), then every producer
 * restores its persisted desired state into it, then the dataplane's first pass, then the front doors.
 * <pre>
 *   NodeDataplane (links · ports · sysctls · addrs · neigh · fdb · routes · nft; monitor; resync) ◀── producers:
 *     BridgeNetworks (CNI bridge networks, records in &lt;stateDir&gt;/networks, endpoints from IPAM)
 *     OverlayNode (etcd leases; &lt;stateDir&gt;/overlay.json)          CnmServer's NetworkDriver (&lt;stateDir&gt;/cnm)
 *   CniServer(unix socket) ─▶ CniDispatcher ─┬─ podnet         ─▶ BridgeCniHandler ─▶ IPAM store + BridgeNetworks + BridgeNetwork
 *                                            ├─ podnet-flannel ─▶ FlannelCniHandler (subnet.env) ─▶ BridgeCniHandler
 *                                            ├─ podnet-ipam    ─▶ IpamCniHandler
 *                                            └─ podnet-calico-ipam ─▶ CalicoIpamCniHandler (ClusterIpamService: etcd blocks, GC)
 *   dockerd ─▶ CnmServer(/run/docker/plugins/podnet.sock) ─▶ NetworkDriver + IpamDriver
 * </pre>
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    /** Namespace workers of the node (sandbox views, host sysctls, nft): a handoff takes microseconds. */
    static final int NETNS_THREADS = 8;
    /**
     * Veth teardowns in flight at once. Each holds its thread ~10-40 ms in the kernel after the veth is already
     * unlisted, and a DEL waits until its deletion has at least started, so a burst of DELs (a node drain) needs
     * about as many threads as it has requests; concurrent RCU barriers in the kernel overlap. Idle threads end.
     */
    static final int REAPER_THREADS = 16;

    private final AgentConfig config;
    private final List<AutoCloseable> parts; // closed in reverse order
    private final NodeDataplane dataplane;
    private final Optional<OverlayNode> overlay;

    private Agent(AgentConfig config, List<AutoCloseable> parts, NodeDataplane dataplane, Optional<OverlayNode> overlay) {
        this.config = config;
        this.parts = parts;
        this.dataplane = dataplane;
        this.overlay = overlay;
    }

    /** Starts the agent; returns when it is serving. */
    public static Agent start(AgentConfig cfg) throws IOException {
        Files.createDirectories(cfg.stateDir());
        List<AutoCloseable> parts = new ArrayList<>();
        try {
            NodeDataplane dp = NodeDataplane.open(NetNs.current(), dataplaneConfig(cfg), NETNS_THREADS, REAPER_THREADS);
            parts.add(dp);
            IpamStores stores = new IpamStores();
            parts.add(stores);
            var sandboxes = new NamespaceSandboxes(dp.workers().orElseThrow());
            var networks = new BridgeNetworks(dp, cfg.stateDir().resolve("networks"), true);
            var bridge = new BridgeCniHandler(dp.kernel(), sandboxes, stores, networks, cfg.stateDir().resolve("ipam"));
            networks.restore(bridge::endpoints);

            Datastore store = null; // one etcd client for the overlay and the Calico IPAM
            if (cfg.overlayEnabled() || cfg.calicoIpamEnabled()) {
                store = cfg.etcd().etcdClient().connect(etcdConfig(cfg.etcd()));
                parts.add(store::close);
            }
            Optional<OverlayNode> overlay = Optional.empty();
            if (cfg.overlayEnabled()) {
                ExecutorScheduler timer = new ExecutorScheduler("podnet-overlay-timer");
                parts.add(timer);
                ExecutorService work = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("podnet-overlay").unstarted(r));
                parts.add(work::shutdownNow);
                var o = cfg.overlay();
                OverlayNode node = new OverlayNode(dp, store, new OverlayNode.Settings(o.prefix(), Optional.ofNullable(o.publicIp()),
                        Optional.ofNullable(o.iface()), o.subnetFile(), o.ipMasq(), o.udpOffloads(), cfg.stateDir().resolve("overlay.json")),
                        InstantSource.system(), timer, work, OverlayNode.udpTunnels(dp.namespace()));
                parts.add(node);
                node.restore();
                overlay = Optional.of(node);
            }

            CnmServer cnm = null;
            if (cfg.cnmEnabled()) {
                Rtnetlink host = Rtnetlink.open(NetNs.current()); // IPAM reads routes to find free default pools
                parts.add(host);
                cnm = CnmServer.start(cnmConfig(cfg), host, dp);
                parts.add(cnm);
            }

            var flannel = new FlannelCniHandler(bridge, cfg.stateDir().resolve("flannel"));
            Map<String, CniHandler> types = new HashMap<>(Map.of(CniRequest.PLUGIN_MAIN, bridge, "podnet-flannel", flannel));
            RoutedNode routedNode = null;
            if (cfg.calicoIpamEnabled()) {
                ClusterIpamService calico = ClusterIpamService.start(store, calicoSettings(cfg));
                parts.add(calico);
                types.put(CalicoIpamCniHandler.TYPE, calico.cniHandler());
                if (cfg.routedEnabled()) {
                    AgentConfig.Routed r = cfg.routed();
                    var routed = new RoutedCniHandler(calico.cniHandler(), dp, sandboxes, r.mtu(), cfg.stateDir().resolve("routed"));
                    int restored = routed.restore(); // before the first pass: it keeps these pods' host routes
                    if (restored > 0) LOG.log(System.Logger.Level.INFO, "routed: restored the host routes of " + restored + " pods");
                    types.put(RoutedCniHandler.TYPE, routed);
                    routedNode = new RoutedNode(dp, calico.ipam().reader(), routedSettings(cfg));
                    parts.add(routedNode);
                    int kept = routedNode.restore(); // the routes learned before a restart, until BGP has them again
                    if (kept > 0) LOG.log(System.Logger.Level.INFO, "routed: kept " + kept + " learned routes from before the restart");
                }
            }

            dp.start(); // the first pass sees every producer's restored state
            overlay.ifPresent(OverlayNode::start);
            if (routedNode != null) routedNode.start();
            var dispatcher = new CniDispatcher(new IpamCniHandler(stores, cfg.stateDir().resolve("ipam")), types);
            parts.add(CniServer.start(cfg.cniSocket(), dispatcher));
            Agent agent = new Agent(cfg, parts, dp, overlay);
            LOG.log(System.Logger.Level.INFO, "podnet agent " + cfg.nodeName() + " serving CNI on " + cfg.cniSocket()
                    + (cnm != null ? ", Docker driver on " + cnm.socket() : "")
                    + overlay.flatMap(OverlayNode::lease).map(l -> ", overlay lease " + l.subnet()).orElse(""));
            return agent;
        } catch (IOException | RuntimeException e) {
            closeAll(parts);
            throw e;
        }
    }

    /** The node dataplane's settings: the resync interval, and the link prefixes only podnet uses on this node. */
    static NodeDataplane.Config dataplaneConfig(AgentConfig cfg) {
        List<String> prefixes = new ArrayList<>();
        if (cfg.cnmEnabled()) prefixes.add("pnd");
        if (cfg.overlayEnabled()) prefixes.addAll(List.of("flannel.", "flannel0"));
        return NodeDataplane.Config.DEFAULT.withResync(Duration.ofSeconds(cfg.dataplane().resyncSeconds())).withLinkPrefixes(prefixes);
    }

    static RoutedNode.Settings routedSettings(AgentConfig cfg) {
        AgentConfig.Routed r = cfg.routed();
        return new RoutedNode.Settings(cfg.nodeName(), r.cidr(), AddressAutodetect.parse("routed.ipAutodetectionMethod", r.ipAutodetectionMethod()),
                r.asNumber(), r.listenPort(), Duration.ofSeconds(r.gracefulRestartSeconds()), Duration.ofSeconds(1), r.nodeToNodeMesh(),
                cfg.stateDir().resolve("routed-learned.json"), cfg.stateDir().resolve("routed-status.json"));
    }

    static CnmConfig cnmConfig(AgentConfig cfg) {
        AgentConfig.Cnm c = cfg.cnm();
        Path state = c.stateDir() != null ? c.stateDir() : cfg.stateDir().resolve("cnm");
        return new CnmConfig(c.socket(), state, IpPrefix.parse(c.defaultPools()), c.poolLength(), true, c.ipMasq());
    }

    static ClusterIpamService.Settings calicoSettings(AgentConfig cfg) {
        AgentConfig.CalicoIpam c = cfg.calicoIpam();
        Duration grace = Duration.ofSeconds(c.leakGraceSeconds());
        return new ClusterIpamService.Settings(cfg.nodeName(), c.nodeLabels(), c.prefix(), c.poolSettings(System.getenv()),
                grace, grace.dividedBy(2), cfg.stateDir());
    }

    static EtcdConfig etcdConfig(AgentConfig.Etcd e) {
        EtcdConfig c = e.caFile() != null
                ? (e.certFile() != null ? EtcdConfig.of(e.endpoints(), EtcdConfig.Tls.mutual(e.caFile(), e.certFile(), e.keyFile()))
                        : EtcdConfig.of(e.endpoints(), EtcdConfig.Tls.ca(e.caFile())))
                : EtcdConfig.of(e.endpoints());
        if (e.username() != null) c = c.withCredentials(e.username(), e.password() == null ? "" : e.password());
        return c;
    }

    public AgentConfig config() { return config; }

    /** The node dataplane (health of every table, for the operations issue's metrics and /ready). */
    public NodeDataplane dataplane() { return dataplane; }

    /** The overlay, when enabled (it may still be waiting for etcd: {@link OverlayNode#isOnline()}). */
    public Optional<OverlayNode> overlay() { return overlay; }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable c : parts.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + c + ": " + e.getMessage());
            }
        }
    }

    /** Stops serving; kernel state, leases and state files stay, so pods keep working across a restart. */
    @Override
    public void close() {
        closeAll(parts);
    }
}
