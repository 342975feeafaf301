package io.podnet.agent.overlay;

import io.podnet.datastore.Datastore;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.overlay.backend.BackendPlanner;
import io.podnet.overlay.backend.OverlayPlan;
import io.podnet.overlay.subnet.LeaseAttrs;
import io.podnet.overlay.subnet.LeaseWatcher;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetEnv;
import io.podnet.overlay.subnet.SubnetLease;
import io.podnet.overlay.subnet.SubnetManager;
import io.podnet.overlay.udp.UdpRoutes;
import io.podnet.overlay.udp.UdpSocket;
import io.podnet.overlay.udp.UdpTunnel;
import io.podnet.overlay.udp.UdpTunnelOptions;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.rtnetlink.TunDevice;
import io.podnet.workload.nft.NftTable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * flanneld's job inside the agent. Start-up: read the network config, find the underlay (interface and
 * PublicIP), create the backend device (keeping an existing device's MAC so a restarted agent announces the
 * same VtepMAC), acquire the lease (our own by PublicIP, else the one in subnet.env, else a new one), write
 * subnet.env, install masquerading, then follow every lease change. The lease is renewed an hour before it
 * expires; stopping the agent leaves the kernel state and the lease alone, so pods keep working and a
 * restart gets the same subnet.
 */
public final class OverlayAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OverlayAgent.class.getName());

    /** What the overlay needs from the agent's config. */
    /** Agent-side overlay settings; {@code udpOffloads}: TUN offloads (TSO/GRO) for the udp backend. */
    public record Settings(String prefix, Optional<String> publicIp, Optional<String> iface, Path subnetFile, boolean ipMasq,
                           boolean udpOffloads) {}

    private final Rtnetlink host;
    private final SubnetManager manager;
    private final NetworkConfig config;
    private final BackendPlanner planner;
    private final OverlayDataplane dataplane;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("podnet-overlay").unstarted(r));
    private volatile SubnetLease lease;
    private LeaseWatcher watcher;
    private UdpTunnel tunnel;

    private OverlayAgent(Rtnetlink host, SubnetManager manager, NetworkConfig config, BackendPlanner planner, OverlayDataplane dp) {
        this.host = host;
        this.manager = manager;
        this.config = config;
        this.planner = planner;
        this.dataplane = dp;
    }

    public static OverlayAgent start(Rtnetlink host, Datastore store, NftTable nft, Settings s) throws IOException {
        SubnetManager mgr = new SubnetManager(store, s.prefix(), new java.util.SplittableRandom(), SubnetManager.LEASE_TTL);
        NetworkConfig cfg = mgr.config();
        Link under = underlay(host, s.iface());
        Cidr underAddr = underlayAddress(host, under.name(), s.publicIp());
        String dev = BackendPlanner.deviceName(cfg);
        int mtu = BackendPlanner.mtu(cfg, under.mtu());
        Optional<MacAddress> vtepMac = setUpDevice(host, cfg, dev, under.name(), underAddr.address(), mtu);
        LeaseAttrs attrs = new LeaseAttrs(underAddr.address(), cfg.backend().type().equals("udp") ? "" : cfg.backend().type(), vtepMac, cfg.backend().vni());
        SubnetLease lease = mgr.acquire(attrs, SubnetEnv.previousLease(s.subnetFile()));
        LOG.log(System.Logger.Level.INFO, "overlay lease " + lease.subnet() + " backend=" + cfg.backend().type() + " publicIp=" + underAddr.address());
        if (!dev.isEmpty()) host.addresses().replace(Address.of(dev, new Cidr(lease.subnet().address(), 32)));
        host.sysctls().setIpForwarding(IpFamily.V4, true);
        SubnetEnv.of(cfg.network(), lease.subnet(), mtu, s.ipMasq()).write(s.subnetFile());
        if (s.ipMasq()) {
            nft.setChain("overlay_masq", new NftTable.Chain("type nat hook postrouting priority srcnat; policy accept;",
                    NftTable.masqueradeRules("overlay", List.of(cfg.network()))));
            nft.apply();
        }
        OverlayAgent agent = new OverlayAgent(host, mgr, cfg, new BackendPlanner(cfg, dev, under.name(), underAddr),
                new OverlayDataplane(host, dev));
        agent.lease = lease;
        if (cfg.backend().type().equals("udp")) {
            NetNs here = NetNs.current();
            int port = cfg.backend().effectivePort(); // every node listens on, and sends to, the configured port
            agent.tunnel = UdpTunnel.start(TunDevice.attach(here, dev, LinkKind.Tuntap.Mode.TUN),
                    UdpSocket.open(here, underAddr.address(), port), UdpRoutes.empty(),
                    UdpTunnelOptions.DEFAULTS.withRemotePort(port).withOffloads(s.udpOffloads()));
        }
        agent.watcher = LeaseWatcher.start(mgr, events -> agent.recompute());
        agent.recompute();
        agent.scheduleRenewal();
        return agent;
    }

    public SubnetLease lease() { return lease; }

    public NetworkConfig config() { return config; }

    /** Recomputes and applies the plan from the watcher's current view. */
    public synchronized void recompute() {
        if (watcher == null) return;
        OverlayPlan plan = planner.compute(lease, watcher.leases().values());
        plan.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, p));
        if (tunnel != null) tunnel.setRoutes(UdpRoutes.of(plan.udpRoutes()));
        var report = dataplane.apply(plan); // failures stay pending and are retried by the reconcile loop with backoff
        LOG.log(System.Logger.Level.INFO, "overlay: " + (watcher.leases().size() - 1) + " remote nodes; " + report);
    }

    private void scheduleRenewal() {
        // flannel renews one hour before the 24 h lease expires; retry every minute on failure
        long every = Math.max(60, SubnetManager.LEASE_TTL.minus(Duration.ofHours(1)).toSeconds());
        timers.scheduleWithFixedDelay(() -> {
            try {
                lease = manager.renew(lease);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "lease renewal failed: " + e.getMessage());
            }
        }, every, every, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(this::recompute, 60, 60, TimeUnit.SECONDS); // periodic resync
    }

    static Link underlay(Rtnetlink host, Optional<String> iface) throws IOException {
        if (iface.isPresent()) {
            return host.links().get(iface.get()).orElseThrow(() -> new IOException("underlay interface " + iface.get() + " does not exist"));
        }
        for (Route r : host.routes().list()) {
            if (r.dst().equals(IpPrefix.DEFAULT_V4) && r.dev().isPresent()) return host.links().get(r.dev().get()).orElseThrow();
        }
        throw new IOException("no underlay interface: set overlay.interface (there is no IPv4 default route to pick one from)");
    }

    static Cidr underlayAddress(Rtnetlink host, String iface, Optional<String> publicIp) throws IOException {
        List<Address> addrs = host.addresses().list(iface).stream().filter(a -> a.cidr().family() == IpFamily.V4).toList();
        if (publicIp.isPresent()) {
            IpAddress want = IpAddress.parse(publicIp.get());
            return addrs.stream().map(Address::cidr).filter(c -> c.address().equals(want)).findFirst()
                    .orElse(new Cidr(want, 32));
        }
        return addrs.stream().map(Address::cidr).findFirst()
                .orElseThrow(() -> new IOException("underlay interface " + iface + " has no IPv4 address; set overlay.publicIp"));
    }

    private static Optional<MacAddress> setUpDevice(Rtnetlink host, NetworkConfig cfg, String dev, String under, IpAddress local, int mtu)
            throws IOException {
        switch (cfg.backend().type()) {
            case "vxlan" -> {
                Optional<Link> existing = host.links().get(dev);
                if (existing.isPresent() && existing.get().kind() instanceof LinkKind.Vxlan v
                        && v.vni() == cfg.backend().vni() && v.port() == cfg.backend().effectivePort()) {
                    host.links().setMtu(dev, mtu);
                } else {
                    if (existing.isPresent()) host.links().delete(dev);
                    host.links().add(LinkAttrs.named(dev).mtu(mtu),
                            LinkKind.Vxlan.of(cfg.backend().vni(), cfg.backend().effectivePort()).withLocal(local).withDevice(under));
                    host.sysctls().setAcceptRa(dev, 0);
                }
                host.links().setUp(dev);
                return host.links().get(dev).orElseThrow().mac();
            }
            case "udp" -> {
                if (host.links().get(dev).isEmpty()) host.links().add(LinkAttrs.named(dev).mtu(mtu), new LinkKind.Tuntap(LinkKind.Tuntap.Mode.TUN));
                host.links().setMtu(dev, mtu);
                host.links().setUp(dev);
                return Optional.empty();
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** Stops following leases. Kernel state and the lease stay, so pods keep working across a restart. */
    @Override
    public void close() {
        timers.shutdownNow();
        dataplane.close();
        if (watcher != null) watcher.close();
        if (tunnel != null) {
            try {
                tunnel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing udp tunnel: " + e.getMessage());
            }
        }
    }
}
