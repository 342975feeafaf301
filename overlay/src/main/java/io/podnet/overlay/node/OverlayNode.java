package io.podnet.overlay.node;

import io.podnet.dataplane.Backoff;
import io.podnet.dataplane.Kernel;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.Retry;
import io.podnet.dataplane.Scheduler;
import io.podnet.dataplane.SysctlTable;
import io.podnet.dataplane.nft.NftName;
import io.podnet.dataplane.nft.NftRules;
import io.podnet.datastore.Datastore;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.overlay.backend.BackendPlanner;
import io.podnet.overlay.backend.OverlayPlan;
import io.podnet.overlay.subnet.Backend;
import io.podnet.overlay.subnet.LeaseAttrs;
import io.podnet.overlay.subnet.LeaseWatcher;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetEnv;
import io.podnet.overlay.subnet.SubnetLease;
import io.podnet.overlay.subnet.SubnetManager;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.overlay.udp.UdpRoutes;
import io.podnet.overlay.udp.UdpSocket;
import io.podnet.overlay.udp.UdpTunnel;
import io.podnet.overlay.udp.UdpTunnelOptions;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.TunDevice;
import io.podnet.rtnetlink.message.Nl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

/**
 * flanneld's job on one node, as a producer of desired state for the {@link NodeDataplane} (owner
 * {@value #OWNER}): the backend device ({@code flannel.VNI} vxlan with a stable VTEP MAC, or the {@code flannel0}
 * TUN), the lease's address on it, forwarding, the {@code overlay_masq} chain, FORWARD accepts for the network, and
 * from every other node's lease
 * the permanent neighbours, FDB entries and routes the {@link BackendPlanner} computes. It holds no netlink handle:
 * the dataplane programs, monitors and repairs all of it.
 * <pre>
 *   restore() ─ persisted OverlayState ─┐                       (before the dataplane's first pass; no etcd needed)
 *   start() ─ Retry: config, underlay, device, acquire lease ─┤─▶ desire(): links · addrs · sysctls · nft
 *             subnet.env, state file, udp tunnel, LeaseWatcher ┘       plan(): neigh · fdb · routes (replaceOwned)
 *   renewal ─ scheduled an hour before expiry; Retry with backoff until renewed (an etcd outage then is survived)
 * </pre>
 * <p>Complicating factors: the VTEP MAC must not change across restarts or a recreated device (every other node's
 * FDB and neighbour entries name it): it comes from the persisted state, else the existing device, else is chosen
 * here, and it is part of the device's desired spec; etcd may be down at start (the persisted state keeps the node
 * working, {@link #start} retries in the background, a {@code podnet-flannel} ADD answers 11 until subnet.env
 * exists) or at renewal time (renewal retries with backoff until it succeeds, long before the 24 h lease
 * expires); stopping leaves the kernel state and the lease alone, so pods keep working and a restart gets the
 * same subnet. Time is injected: tests drive start-up retries and renewal with a manual clock.
 */
public final class OverlayNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OverlayNode.class.getName());
    /** The producer name of the overlay's share of the node's state. */
    public static final String OWNER = "overlay";
    /** The overlay's masquerade chain. */
    public static final NftName MASQ_CHAIN = NftName.of("overlay_masq");
    static final Backoff START_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));
    static final Backoff RENEW_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

    /**
     * What the overlay needs from the agent's config. {@code udpOffloads}: TUN offloads (TSO/GRO) for the udp
     * backend; {@code stateFile}: where the last programmed state is kept across restarts.
     */
    public record Settings(String prefix, Optional<String> publicIp, Optional<String> iface, Path subnetFile, boolean ipMasq,
                           boolean udpOffloads, Path stateFile) {}

    /** Starts the udp backend's user-space tunnel on the node's TUN device: {@link #udpTunnels} or a test's. */
    public interface TunnelStarter {
        UdpEngine start(String device, IpAddress local, int port, boolean offloads) throws IOException;
    }

    /** The real udp tunnel ({@link UdpTunnel}) in namespace {@code ns}: every node listens on, and sends to, the port. */
    public static TunnelStarter udpTunnels(NetNs ns) {
        return (dev, local, port, offloads) -> {
            UdpTunnel t = UdpTunnel.start(TunDevice.attach(ns, dev, LinkKind.Tuntap.Mode.TUN), UdpSocket.open(ns, local, port),
                    UdpRoutes.empty(), UdpTunnelOptions.DEFAULTS.withRemotePort(port).withOffloads(offloads));
            return new UdpEngine() {
                @Override
                public void setRoutes(java.util.Map<IpPrefix, IpAddress> routes) { t.setRoutes(UdpRoutes.of(routes)); }

                @Override
                public void close() throws IOException { t.close(); }
            };
        };
    }

    /** The running udp tunnel: its routes follow the plan. */
    public interface UdpEngine extends AutoCloseable {
        void setRoutes(java.util.Map<IpPrefix, IpAddress> routes);

        @Override
        void close() throws IOException;
    }

    private final NodeDataplane dp;
    private final Kernel kernel;
    private final SubnetManager manager;
    private final Settings settings;
    private final InstantSource clock;
    private final Scheduler scheduler;
    private final Executor executor;
    private final TunnelStarter tunnels;

    // guarded by this
    private NetworkConfig config;
    private BackendPlanner planner;
    private String device = "";
    private String underlay;
    private Cidr underlayAddress;
    private SubnetLease lease;
    private List<SubnetLease> known = List.of();
    private LeaseWatcher watcher;
    private UdpEngine tunnel;
    private Retry starting;
    private Retry renewing;
    private Scheduler.Cancellable renewal;
    private boolean closed;

    /**
     * @param executor runs the start-up and renewal attempts (etcd I/O); {@code scheduler} only times them
     */
    public OverlayNode(NodeDataplane dp, Datastore store, Settings settings, InstantSource clock, Scheduler scheduler, Executor executor,
                       TunnelStarter tunnels) {
        this.dp = dp;
        this.kernel = dp.kernel();
        this.manager = new SubnetManager(store, settings.prefix(), new java.util.SplittableRandom(), SubnetManager.LEASE_TTL);
        this.settings = settings;
        this.clock = clock;
        this.scheduler = scheduler;
        this.executor = executor;
        this.tunnels = tunnels;
    }

    /**
     * Puts the persisted state back into the dataplane's tables (call before its first pass). Returns false when
     * there is none (a first start): then nothing of the overlay is desired until {@link #start} succeeds.
     */
    public synchronized boolean restore() {
        Optional<OverlayState> s = OverlayState.read(settings.stateFile());
        if (s.isEmpty()) return false;
        OverlayState st = s.get();
        config = st.networkConfig();
        underlay = st.underlay();
        underlayAddress = st.underlayCidr();
        device = BackendPlanner.deviceName(config);
        lease = st.myLease();
        known = st.remoteLeases();
        planner = new BackendPlanner(config, device, underlay, underlayAddress);
        desireDevice(st.vtepMac(), BackendPlanner.mtu(config, mtuOf(st)));
        desireLeaseState();
        plan(known);
        LOG.log(System.Logger.Level.INFO, "overlay state restored: lease {0}, {1} remote node(s)", lease.subnet(), known.size());
        return true;
    }

    private int mtuOf(OverlayState st) {
        try {
            return kernel.getLink(st.underlay()).map(Link::mtu).orElse(1500);
        } catch (IOException e) {
            return 1500;
        }
    }

    /**
     * Brings the overlay online: once now, on the caller's thread, and if that fails (etcd unreachable, no network
     * config yet) again in the background with backoff until it succeeds, as flanneld does. Meanwhile the restored
     * state stays programmed.
     */
    public void start() {
        Retry r = Retry.startHere("overlay start", scheduler, executor, START_BACKOFF, this::online);
        synchronized (this) {
            starting = r;
            if (closed) r.cancel();
        }
    }

    /** True once a lease is held in this run (subnet.env written, lease watch running). */
    public synchronized boolean isOnline() { return watcher != null; }

    public synchronized Optional<SubnetLease> lease() { return Optional.ofNullable(lease); }

    public synchronized Optional<NetworkConfig> config() { return Optional.ofNullable(config); }

    private void online() throws IOException {
        synchronized (this) {
            if (closed || watcher != null) return;
        }
        NetworkConfig cfg = manager.config();
        Link under = underlayLink(settings.iface());
        Cidr underAddr = underlayAddress(under.name(), settings.publicIp());
        String dev = BackendPlanner.deviceName(cfg);
        int mtu = BackendPlanner.mtu(cfg, under.mtu());
        Optional<MacAddress> vtepMac = vtepMac(cfg, dev);
        synchronized (this) {
            config = cfg;
            device = dev;
            underlay = under.name();
            underlayAddress = underAddr;
            planner = new BackendPlanner(cfg, dev, under.name(), underAddr);
            desireDevice(vtepMac, mtu);
        }
        if (!dev.isEmpty()) dp.applyNow(); // the device exists (and has its MAC) before the lease announces it
        int vni = cfg.backend() instanceof Backend.Vxlan v ? v.vni() : 0;
        String type = switch (cfg.backend()) {
            case Backend.Udp _ -> "";
            case Backend.Vxlan _, Backend.HostGw _ -> cfg.backend().type();
        };
        Optional<IpPrefix> previous = SubnetEnv.previousLease(settings.subnetFile()).or(() -> lease().map(SubnetLease::subnet));
        SubnetLease got = manager.acquire(new LeaseAttrs(underAddr.address(), type, vtepMac, vni), previous);
        LOG.log(System.Logger.Level.INFO, "overlay lease " + got.subnet() + " backend=" + cfg.backend().type() + " publicIp=" + underAddr.address());
        synchronized (this) {
            lease = got;
            desireLeaseState();
        }
        SubnetEnv.of(cfg.network(), got.subnet(), mtu, settings.ipMasq()).write(settings.subnetFile());
        if (cfg.backend() instanceof Backend.Udp u) {
            dp.applyNow();
            UdpEngine t = tunnels.start(dev, underAddr.address(), u.effectivePort(), settings.udpOffloads());
            synchronized (this) {
                tunnel = t;
            }
        }
        LeaseWatcher w = LeaseWatcher.start(manager, events -> recompute(), scheduler);
        synchronized (this) {
            if (closed) {
                w.close();
                return;
            }
            watcher = w;
            scheduleRenewal();
        }
        recompute();
    }

    /** The VTEP MAC: the one persisted (same device), else the existing device's, else a new random one. */
    private Optional<MacAddress> vtepMac(NetworkConfig cfg, String dev) throws IOException {
        if (!(cfg.backend() instanceof Backend.Vxlan)) return Optional.empty();
        Optional<MacAddress> desired = dp.links().desiredLink(dev).flatMap(s -> s.attrs().mac());
        if (desired.isPresent()) return desired;
        Optional<MacAddress> existing = kernel.getLink(dev).filter(l -> l.kind() instanceof LinkKind.Vxlan).flatMap(Link::mac);
        if (existing.isPresent()) return existing;
        long v = ThreadLocalRandom.current().nextLong() & 0xfeffffffffffL | 0x020000000000L; // unicast, locally administered
        return Optional.of(new MacAddress(v & 0xffffffffffffL));
    }

    /** The backend device as desired state (nothing for host-gw). */
    private void desireDevice(Optional<MacAddress> vtepMac, int mtu) {
        dp.sysctls().setSysctl(OWNER, SysctlTable.forwarding(IpFamily.V4), "1");
        switch (config.backend()) {
            case Backend.Vxlan v -> {
                LinkAttrs a = LinkAttrs.named(device).mtu(mtu).up();
                if (vtepMac.isPresent()) a = a.mac(vtepMac.get());
                dp.links().setLink(OWNER, a, LinkKind.Vxlan.of(v.vni(), v.effectivePort()).withLocal(underlayAddress.address()).withDevice(underlay));
                dp.sysctls().setSysctl(OWNER, "net/ipv6/conf/" + device + "/accept_ra", "0");
                dp.neighbors().ownDevice(OWNER, device);
                dp.fdb().ownDevice(OWNER, device);
                dp.addresses().ownDevice(OWNER, device);
            }
            case Backend.Udp _ -> {
                dp.links().setLink(OWNER, LinkAttrs.named(device).mtu(mtu).up(), new LinkKind.Tuntap(LinkKind.Tuntap.Mode.TUN));
                dp.addresses().ownDevice(OWNER, device);
            }
            case Backend.HostGw _ -> { }
        }
    }

    /** The lease's address on the device, the masquerade chain and the FORWARD accepts for the network. */
    private void desireLeaseState() {
        if (!device.isEmpty()) {
            dp.addresses().replaceAddresses(OWNER, List.of(Address.of(device, new Cidr(lease.subnet().address(), 32))));
        }
        if (settings.ipMasq()) {
            dp.nft().setChain(OWNER, NftRules.masqueradeChain(MASQ_CHAIN, List.of(config.network()), "podnet net=overlay"));
        }
        dp.forward().acceptPods(OWNER, List.of(config.network())); // flannel's FLANNEL-FWD: a foreign FORWARD DROP stays out
    }

    /** Recomputes the plan from the watcher's current view. */
    public void recompute() {
        List<SubnetLease> all;
        synchronized (this) {
            if (watcher == null) return;
            all = List.copyOf(watcher.leases().values());
            known = all;
            plan(all);
        }
        persist(all);
    }

    private void plan(List<SubnetLease> all) {
        OverlayPlan plan = planner.compute(lease, all);
        plan.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, p));
        dp.neighbors().replaceNeighbors(OWNER, plan.neighbors());
        dp.fdb().replaceEntries(OWNER, plan.fdb());
        dp.routes().replaceRoutes(OWNER, plan.routes());
        if (tunnel != null) tunnel.setRoutes(plan.udpRoutes());
        LOG.log(System.Logger.Level.INFO, "overlay: {0} lease(s), {1} route(s)", all.size(), plan.routes().size());
    }

    private void persist(List<SubnetLease> all) {
        OverlayState st;
        synchronized (this) {
            st = OverlayState.of(config, underlay, underlayAddress, lease, all);
        }
        try {
            st.write(settings.stateFile());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot persist the overlay state: " + e.getMessage());
        }
    }

    /** flannel renews an hour before the 24 h lease expires; a failed renewal retries with backoff until it works. */
    private void scheduleRenewal() {
        Duration in = SubnetManager.LEASE_TTL.minus(Duration.ofHours(1));
        renewal = scheduler.schedule(in, () -> {
            synchronized (this) {
                if (closed) return;
                renewing = Retry.start("lease renewal", scheduler, executor, RENEW_BACKOFF, this::renew);
            }
        });
    }

    private void renew() throws IOException {
        SubnetLease current;
        synchronized (this) {
            current = lease;
        }
        SubnetLease renewed = manager.renew(current);
        synchronized (this) {
            lease = renewed;
            if (!renewed.subnet().equals(current.subnet())) {
                LOG.log(System.Logger.Level.WARNING, "overlay lease was lost and re-acquired as " + renewed.subnet());
                desireLeaseState();
            }
            if (!closed) scheduleRenewal();
        }
    }

    /** The renewal attempts so far (for tests and health). */
    synchronized int renewalFailures() { return renewing == null ? 0 : renewing.failures(); }

    Link underlayLink(Optional<String> iface) throws IOException {
        if (iface.isPresent()) {
            return kernel.getLink(iface.get()).orElseThrow(() -> new IOException("underlay interface " + iface.get() + " does not exist"));
        }
        for (Route r : kernel.listRoutes(Nl.RT_TABLE_MAIN)) {
            if (r.dst().equals(IpPrefix.DEFAULT_V4) && r.dev().isPresent()) return kernel.getLink(r.dev().get()).orElseThrow();
        }
        throw new IOException("no underlay interface: set overlay.interface (there is no IPv4 default route to pick one from)");
    }

    Cidr underlayAddress(String iface, Optional<String> publicIp) throws IOException {
        List<Address> addrs = kernel.listAddresses(iface).stream().filter(a -> a.cidr().family() == IpFamily.V4).toList();
        if (publicIp.isPresent()) {
            IpAddress want = IpAddress.parse(publicIp.get());
            return addrs.stream().map(Address::cidr).filter(c -> c.address().equals(want)).findFirst().orElse(new Cidr(want, 32));
        }
        return addrs.stream().map(Address::cidr).findFirst()
                .orElseThrow(() -> new IOException("underlay interface " + iface + " has no IPv4 address; set overlay.publicIp"));
    }

    /** Stops following leases. Kernel state, the lease and the state file stay, so pods keep working across a restart. */
    @Override
    public void close() {
        LeaseWatcher w;
        UdpEngine t;
        synchronized (this) {
            closed = true;
            if (starting != null) starting.cancel();
            if (renewing != null) renewing.cancel();
            if (renewal != null) renewal.cancel();
            w = watcher;
            t = tunnel;
        }
        if (w != null) w.close();
        if (t != null) {
            try {
                t.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing udp tunnel: " + e.getMessage());
            }
        }
    }
}
