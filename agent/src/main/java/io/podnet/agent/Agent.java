package io.podnet.agent;

import io.podnet.agent.cni.BridgeCniHandler;
import io.podnet.agent.cni.CniDispatcher;
import io.podnet.agent.cni.FlannelCniHandler;
import io.podnet.agent.overlay.OverlayAgent;
import io.podnet.cni.CniRequest;
import io.podnet.cni.server.CniServer;
import io.podnet.cnm.CnmConfig;
import io.podnet.cnm.CnmServer;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.cni.server.CniHandler;
import io.podnet.ipam.cluster.ClusterIpamService;
import io.podnet.ipam.cni.CalicoIpamCniHandler;
import io.podnet.ipam.cni.IpamCniHandler;
import io.podnet.ipam.store.IpamStores;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.workload.nft.NftTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The composition root: builds every part of the agent from its config, with explicit constructor wiring.
 * <pre>
 *   CniServer(unix socket) ─▶ CniDispatcher ─┬─ podnet         ─▶ BridgeCniHandler ─▶ IPAM store + BridgeNetwork + NftTable
 *                                            ├─ podnet-flannel ─▶ FlannelCniHandler (subnet.env) ─▶ BridgeCniHandler
 *                                            ├─ podnet-ipam    ─▶ IpamCniHandler
 *                                            └─ podnet-calico-ipam ─▶ CalicoIpamCniHandler (ClusterIpamService: etcd blocks, GC)
 *   etcd ─▶ OverlayAgent (lease, backend device, subnet.env, LeaseWatcher ─▶ OverlayDataplane)
 *   dockerd ─▶ CnmServer(/run/docker/plugins/podnet.sock) ─▶ NetworkDriver + IpamDriver (own state dir, same nft table)
 * </pre>
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    private final AgentConfig config;
    private final Rtnetlink host;
    private final IpamStores stores;
    private final Datastore store;
    private final java.util.concurrent.atomic.AtomicReference<OverlayAgent> overlay = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile Thread overlayStarter;
    private volatile boolean closed;
    private final CniServer server;
    private final CnmServer cnm;
    private BridgeCniHandler bridge; // closed after the server (its namespace worker threads)
    private ClusterIpamService calicoIpam;

    private Agent(AgentConfig config, Rtnetlink host, IpamStores stores, Datastore store,
                  CniServer server, CnmServer cnm) {
        this.config = config;
        this.host = host;
        this.stores = stores;
        this.store = store;
        this.server = server;
        this.cnm = cnm;
    }

    /** Starts the agent; returns when it is serving. */
    public static Agent start(AgentConfig cfg) throws IOException {
        Files.createDirectories(cfg.stateDir());
        Rtnetlink host = Rtnetlink.open(NetNs.current());
        IpamStores stores = new IpamStores();
        NftTable nft = new NftTable();
        Datastore store = null;
        CniServer server = null;
        CnmServer cnm = null;
        ClusterIpamService calico = null;
        try {
            if (cfg.etcd() != null) store = cfg.etcd().etcdClient().connect(etcdConfig(cfg.etcd()));
            var bridge = new BridgeCniHandler(host, stores, nft, cfg.stateDir().resolve("ipam"));
            var flannel = new FlannelCniHandler(bridge, cfg.stateDir().resolve("flannel"));
            Map<String, CniHandler> types = new HashMap<>(Map.of(CniRequest.PLUGIN_MAIN, bridge, "podnet-flannel", flannel));
            if (cfg.calicoIpamEnabled()) {
                calico = ClusterIpamService.start(store, calicoSettings(cfg));
                types.put(CalicoIpamCniHandler.TYPE, calico.cniHandler());
            }
            var dispatcher = new CniDispatcher(new IpamCniHandler(stores, cfg.stateDir().resolve("ipam")), types);
            server = CniServer.start(cfg.cniSocket(), dispatcher);
            if (cfg.cnmEnabled()) cnm = CnmServer.start(cnmConfig(cfg), host, nft);
            Agent agent = new Agent(cfg, host, stores, store, server, cnm);
            agent.bridge = bridge;
            agent.calicoIpam = calico;
            if (cfg.overlayEnabled()) agent.startOverlay(nft);
            LOG.log(System.Logger.Level.INFO, "podnet agent " + cfg.nodeName() + " serving CNI on " + cfg.cniSocket()
                    + (cnm != null ? ", Docker driver on " + cnm.socket() : "")
                    + agent.overlay().map(o -> ", overlay lease " + o.lease().subnet()).orElse(""));
            return agent;
        } catch (IOException | RuntimeException e) {
            if (cnm != null) cnm.close();
            if (server != null) server.close();
            if (calico != null) calico.close();
            if (store != null) store.close();
            stores.close();
            host.close();
            throw e;
        }
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

    /** The overlay, once it holds a lease (empty while etcd is unreachable at start-up). */
    public Optional<OverlayAgent> overlay() { return Optional.ofNullable(overlay.get()); }

    /**
     * Starts the overlay: once now, and if that fails (etcd unreachable, no network config yet) again in the
     * background with backoff until it succeeds, as flanneld does. Meanwhile the agent serves CNI and a
     * {@code podnet-flannel} ADD answers code 11 (no subnet.env yet); a previous subnet.env and the kernel
     * state of an earlier run stay as they are, so existing pods keep working through an etcd outage.
     */
    private void startOverlay(NftTable nft) {
        if (tryStartOverlay(nft, true)) return;
        overlayStarter = Thread.ofPlatform().daemon().name("podnet-overlay-start").start(() -> {
            long backoffMs = 1000;
            while (!closed && !tryStartOverlay(nft, false)) {
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException e) {
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        });
    }

    private boolean tryStartOverlay(NftTable nft, boolean first) {
        var o = config.overlay();
        try {
            OverlayAgent started = OverlayAgent.start(host, store, nft, new OverlayAgent.Settings(o.prefix(),
                    Optional.ofNullable(o.publicIp()), Optional.ofNullable(o.iface()), o.subnetFile(), o.ipMasq(), o.udpOffloads()));
            synchronized (this) {
                if (closed) {
                    started.close();
                } else {
                    overlay.set(started);
                }
            }
            if (!first) LOG.log(System.Logger.Level.INFO, "overlay ready, lease " + started.lease().subnet());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "overlay not ready (" + e.getMessage() + "); retrying"
                    + (first ? " in the background; CNI ADD answers 11 until it is" : ""));
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
        }
        Thread starter = overlayStarter;
        if (starter != null) {
            starter.interrupt();
            try {
                starter.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (cnm != null) cnm.close();
        server.close();
        if (bridge != null) bridge.close();
        OverlayAgent o = overlay.get();
        if (o != null) o.close();
        if (calicoIpam != null) calicoIpam.close();
        if (store != null) store.close();
        stores.close();
        host.close();
    }
}
