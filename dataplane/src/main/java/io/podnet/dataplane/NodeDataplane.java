package io.podnet.dataplane;

import io.podnet.dataplane.nft.NftTable;
import io.podnet.rtnetlink.EventGroup;
import io.podnet.rtnetlink.KernelEvent;
import io.podnet.rtnetlink.LinkEvent;
import io.podnet.rtnetlink.LinkReaper;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.rtnetlink.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The only writer of the host namespace's kernel state: one {@link Reconciler} and every host table (links,
 * bridge ports, sysctls, addresses, neighbours, FDB, the main routing table, podnet's nft table, the accept rules
 * for pod traffic in the iptables filter FORWARD chain), the netlink
 * monitor whose link/address/route/neighbour events mark tables dirty, and the periodic full resync (30 s ± 10 %
 * by default) that repairs what sends no event (sysctls, nft). Built once in the agent's composition root;
 * features (overlay, CNI bridge networks, the Docker driver, routed mode, policy) only write desired state into
 * its tables, each under its own owner name, and never hold a netlink handle to the host themselves.
 * <pre>
 *   overlay ─┐  cni/&lt;net&gt; ─┐  cnm ─┐  routed ─┐            (producers: desired state only)
 *            ▼             ▼       ▼          ▼
 *   links · ports · sysctls · addrs · neigh · fdb · routes[254] · nft · FORWARD  (one table each, per-owner entries)
 *            │ onDirty → wake                      ▲ kernelEvent(): link → interfaceChanged, addr/route → targeted,
 *            ▼                                     │   neigh → device resync, lost → full resync
 *   Reconciler thread: LINKS → PORTS → SYSCTLS → ADDRESSES → NEIGHBORS → ROUTES → NFT; resync every 30 s ± jitter
 *            ▼
 *   Kernel (RtnetlinkKernel: handle + Namespaces workers for /proc/sys, nft and iptables + LinkReaper)
 * </pre>
 * Start-up order matters: build it, let every producer restore its persisted desired state, then {@link #start()}:
 * the first pass resyncs every table against a complete desired state, so an agent restart deletes nothing that
 * should stay.
 */
public final class NodeDataplane implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeDataplane.class.getName());

    /**
     * @param resyncInterval        full resync period (each drawn from {@code interval · (1 ± jitter)})
     * @param linkPrefixes          link names podnet owns by prefix (a resync deletes such a link nobody wants)
     * @param routeInterfacePrefixes devices whose non-kernel routes podnet owns (routed mode's {@code cali*} veths)
     */
    public record Config(Duration resyncInterval, double jitter, List<String> linkPrefixes, List<String> routeInterfacePrefixes) {
        public static final Config DEFAULT = new Config(Duration.ofSeconds(30), 0.1, List.of(), List.of("cali"));

        public Config {
            new ReconcilerConfig(resyncInterval, jitter); // validates
            linkPrefixes = List.copyOf(linkPrefixes);
            routeInterfacePrefixes = List.copyOf(routeInterfacePrefixes);
        }

        public Config withResync(Duration d) { return new Config(d, jitter, linkPrefixes, routeInterfacePrefixes); }

        public Config withLinkPrefixes(List<String> p) { return new Config(resyncInterval, jitter, p, routeInterfacePrefixes); }
    }

    private final Kernel kernel;
    private final Reconciler loop;
    private final LinkSet links;
    private final PortTable ports;
    private final SysctlTable sysctls;
    private final AddressSet addresses;
    private final NeighborTable neighbors;
    private final FdbTable fdb;
    private final RouteTable routes;
    private final NftTable nft;
    private final ForwardTable forward;
    private final Namespaces workers;         // null when built on a given kernel
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final NetNs ns;
    private Subscription monitor;
    private boolean started;

    private NodeDataplane(Kernel kernel, InstantSource clock, Scheduler scheduler, Config config, Namespaces workers) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.workers = workers;
        this.ns = kernel.namespace();
        this.loop = new Reconciler(clock, scheduler, new ReconcilerConfig(config.resyncInterval(), config.jitter()));
        this.links = new LinkSet(kernel, clock, config.linkPrefixes());
        this.ports = new PortTable(kernel, clock);
        this.sysctls = new SysctlTable(kernel, clock);
        this.addresses = new AddressSet(kernel, clock, Set.of());
        this.neighbors = new NeighborTable(kernel, clock, Set.of());
        this.fdb = new FdbTable(kernel, clock, Set.of());
        this.routes = new RouteTable(kernel, clock, RouteTableConfig.main()
                .withInterfacePrefixes(config.routeInterfacePrefixes().toArray(String[]::new)));
        this.nft = new NftTable(kernel, clock);
        this.forward = new ForwardTable(kernel, clock);
        for (DataplaneTable t : List.of(links, ports, sysctls, addresses, neighbors, fdb, routes, nft, forward)) loop.register(t);
    }

    /**
     * The dataplane of namespace {@code ns} (the host: {@link NetNs#current()}), with its own netlink handle,
     * namespace workers ({@code workerThreads}, also lent to the per-pod steps), link reaper ({@code reaperThreads}
     * veth teardowns at once) and timer thread. Not started.
     */
    public static NodeDataplane open(NetNs ns, Config config, int workerThreads, int reaperThreads) throws IOException {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Rtnetlink h = Rtnetlink.open(ns);
            opened.add(h);
            Namespaces workers = Namespaces.pool(ns, workerThreads);
            opened.add(workers);
            LinkReaper reaper = LinkReaper.open(ns, reaperThreads);
            opened.add(reaper);
            ExecutorScheduler timer = new ExecutorScheduler("podnet-dataplane-timer");
            opened.add(timer);
            NodeDataplane d = new NodeDataplane(new RtnetlinkKernel(h, workers, reaper), InstantSource.system(), timer, config, workers);
            d.resources.addAll(opened.reversed());
            return d;
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : opened.reversed()) closeQuietly(c);
            throw e;
        }
    }

    /** A dataplane on a given kernel, clock and scheduler (tests: FakeKernel, ManualClock, ManualScheduler). No monitor. */
    public static NodeDataplane create(Kernel kernel, InstantSource clock, Scheduler scheduler, Config config) {
        return new NodeDataplane(kernel, clock, scheduler, config, null);
    }

    /**
     * Starts: subscribes to the kernel's events (real kernels), applies the desired state once on the caller's
     * thread (so what producers restored is in the kernel when this returns) and starts the loop thread.
     */
    public synchronized ApplyReport start() throws IOException {
        if (started) throw new IllegalStateException("node dataplane already started");
        if (kernel instanceof RtnetlinkKernel rk) {
            monitor = rk.handle().subscribe(Set.of(EventGroup.LINK, EventGroup.ADDRESS, EventGroup.ROUTE, EventGroup.NEIGHBOR), this::kernelEvent);
        }
        ApplyReport first = loop.applyNow();
        if (!first.ok()) LOG.log(System.Logger.Level.WARNING, "first dataplane pass had failures (retried with backoff): {0}", first.failures());
        loop.start();
        started = true;
        return first;
    }

    /** Feeds one kernel event (the monitor's listener; tests call it directly). */
    public void kernelEvent(KernelEvent e) {
        switch (e) {
            case LinkEvent l -> loop.interfaceChanged(l.link().name());
            case KernelEvent.AddressChanged a -> addresses.kernelAddressChanged(a.address(), a.removed());
            case KernelEvent.RouteChanged r -> routes.kernelRouteChanged(r.route(), r.removed());
            case KernelEvent.NeighborChanged n -> (n.fdb() ? (DataplaneTable) fdb : neighbors).interfaceChanged(n.dev());
            case KernelEvent.Lost l -> {
                LOG.log(System.Logger.Level.DEBUG, "kernel events lost ({0}): full resync", l.why());
                loop.queueResync();
            }
        }
    }

    /** Applies every dirty table now (ignoring backoff) and returns once the kernel was written: CNI ADD's "programmed before I return". */
    public ApplyReport applyNow() { return loop.applyNow(); }

    /**
     * A producer found device {@code dev} missing or wrong before any event said so (an ADD's veth could not join
     * its bridge): the tables re-read what they hold about it and everything dirty is applied now.
     */
    public ApplyReport repair(String dev) {
        loop.interfaceChanged(dev);
        return loop.applyNow();
    }

    /** Queues a full resync of every table. */
    public void queueResync() { loop.queueResync(); }

    public boolean awaitInSync(Duration timeout) throws InterruptedException { return loop.awaitInSync(timeout); }

    /** Health facts of every table, in application order (for metrics and /ready). */
    public List<TableHealth> health() {
        return loop.tables().stream().map(DataplaneTable::health).toList();
    }

    public NetNs namespace() { return ns; }

    /** The host kernel (for the per-pod ensure-steps: veths, hairpin, reaping). */
    public Kernel kernel() { return kernel; }

    /** The namespace workers of a real dataplane (sandbox handles for the per-pod steps), if any. */
    public java.util.Optional<Namespaces> workers() { return java.util.Optional.ofNullable(workers); }

    public Reconciler reconciler() { return loop; }

    public LinkSet links() { return links; }

    public PortTable ports() { return ports; }

    public SysctlTable sysctls() { return sysctls; }

    public AddressSet addresses() { return addresses; }

    public NeighborTable neighbors() { return neighbors; }

    public FdbTable fdb() { return fdb; }

    /** The main routing table (254), shared by every producer. */
    public RouteTable routes() { return routes; }

    public NftTable nft() { return nft; }

    /** podnet's accept rules for pod prefixes in the iptables filter FORWARD chain (for a foreign FORWARD DROP). */
    public ForwardTable forward() { return forward; }

    /** Stops the monitor and the loop (kernel state stays as it is, for the next start) and releases its resources. */
    @Override
    public synchronized void close() {
        if (monitor != null) monitor.close();
        loop.close();
        for (AutoCloseable c : resources) closeQuietly(c);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + c + ": " + e.getMessage());
        }
    }
}
