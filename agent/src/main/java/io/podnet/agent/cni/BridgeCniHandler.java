package io.podnet.agent.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.result.CniInterface;
import io.podnet.cni.result.CniResult;
import io.podnet.cni.result.CniRoute;
import io.podnet.cni.result.IpConfig;
import io.podnet.cni.result.ResultCodec;
import io.podnet.cni.server.CniHandler;
import io.podnet.cni.server.CniResponse;
import io.podnet.ipam.IpamConfig;
import io.podnet.ipam.IpamConfigCache;
import io.podnet.ipam.IpamException;
import io.podnet.ipam.Owner;
import io.podnet.ipam.cni.IpamCniHandler;
import io.podnet.ipam.store.IpamStores;
import io.podnet.ipam.store.LocalIpamStore;
import io.podnet.ipam.store.Reservation;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.LinkReaper;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.workload.bridge.Attachment;
import io.podnet.workload.bridge.BridgeConfig;
import io.podnet.workload.bridge.BridgeNetwork;
import io.podnet.workload.bridge.Steps;
import io.podnet.workload.ns.NetnsThreads;
import io.podnet.workload.nft.NftTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * CNI type {@code podnet}: a bridge network with podnet IPAM (the reference bridge + host-local, done in the
 * agent). ADD reserves, attaches, then waits for the reservation to be durable; if anything fails, what was
 * attached is detached and the reservation cancelled before the error is returned (an existing CNI_IFNAME is
 * code 999, as the reference bridge answers). DEL detaches from the host end (tolerating a missing netns) and
 * releases. CHECK verifies kernel state and the reservation. GC releases reservations not in the valid list.
 * <pre>
 *  ADD ──► open sandbox socket (worker) ─────────────┐
 *      └─► IPAM reserve (lock: link, ~0.2 ms) ──► attach (veth, sandbox config) ──► await sync ──► result
 *                 └─► data fsync ∥ group dir fsync (syncer threads) ────────────────┘
 * </pre>
 * <p>Complicating factors: the request's thread may sit anywhere, so the host's nft table and sysctls are
 * applied on a worker that enters the host namespace explicitly; one {@link BridgeNetwork} per bridge config is
 * kept so its bridge cache survives between requests; DEBUG logging gives each ADD's phases (the CNI bench
 * reads them).
 * <p>Config keys (as the reference bridge): {@code bridge} (default {@code cni0}), {@code isGateway},
 * {@code isDefaultGateway}, {@code ipMasq}, {@code mtu}, {@code hairpinMode}, {@code ipam} (host-local format).
 */
public final class BridgeCniHandler implements CniHandler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BridgeCniHandler.class.getName());
    /** Workers that open sandbox sockets and write sysctls; a handoff takes microseconds, so a few suffice. */
    static final int NETNS_THREADS = 8;
    /**
     * Veth teardowns in flight at once. Each holds its thread ~10-40 ms in the kernel after the veth is already
     * unlisted, and a DEL waits until its deletion has at least started, so a burst of DELs (a node drain) needs
     * about as many threads as it has requests; concurrent RCU barriers in the kernel overlap. Idle threads end.
     */
    static final int REAPER_THREADS = 16;
    private final Rtnetlink host;
    private final IpamStores stores;
    private final NftTable nft;
    private final Path defaultIpamDir;
    private final NetnsThreads threads;
    private final LinkReaper reaper;
    private final IpamConfigCache ipamConfigs = new IpamConfigCache();
    private final ConcurrentHashMap<BridgeConfig, BridgeNetwork> networks = new ConcurrentHashMap<>();

    /** Opens a few namespace worker threads (they time out when idle) homed in {@code host}'s namespace. */
    public BridgeCniHandler(Rtnetlink host, IpamStores stores, NftTable nft, Path defaultIpamDir) throws IOException {
        this(host, stores, nft, defaultIpamDir, new NetnsThreads(host.namespace(), NETNS_THREADS), LinkReaper.open(host.namespace(), REAPER_THREADS));
    }

    BridgeCniHandler(Rtnetlink host, IpamStores stores, NftTable nft, Path defaultIpamDir, NetnsThreads threads, LinkReaper reaper) {
        this.host = host;
        this.stores = stores;
        this.nft = nft;
        this.defaultIpamDir = defaultIpamDir;
        this.threads = threads;
        this.reaper = reaper;
    }

    /**
     * Lets veth teardowns in flight finish, stops the namespace workers (they are daemons that time out anyway) and
     * releases the host descriptor.
     */
    @Override
    public void close() throws IOException {
        reaper.close();
        threads.close();
    }

    @Override
    public CniResponse handle(CniRequest req) throws CniException {
        long entered = System.nanoTime();
        BridgeConfig bc = bridgeConfig(req.conf().raw());
        IpamConfig ic = ipamConfig(req);
        try {
            LocalIpamStore store = stores.get(ic.networkDir(), ic.fsync());
            BridgeNetwork net = networks.computeIfAbsent(bc, c -> new BridgeNetwork(host, c, threads, reaper));
            return switch (req.command()) {
                case ADD -> CniResponse.result(add(req, ic, store, net, entered), req.conf().version());
                case DEL -> {
                    Steps st = new Steps();
                    net.detach(attachment(req, List.of(), List.of()), st);
                    store.release(new Owner(req.containerId(), req.ifname()));
                    st.mark("release");
                    LOG.log(System.Logger.Level.DEBUG, () -> "DEL " + req.containerId() + " steps: " + st);
                    yield CniResponse.ok();
                }
                case CHECK -> {
                    check(req, store, net);
                    yield CniResponse.ok();
                }
                case GC -> {
                    List<Owner> valid = req.conf().validAttachments().stream().map(a -> new Owner(a.containerId(), a.ifname())).toList();
                    for (Owner gone : store.releaseAllExcept(valid).keySet()) {
                        reaper.delete(Attachment.hostVethName(gone.containerId(), gone.ifname()));
                    }
                    yield CniResponse.ok();
                }
                case STATUS, VERSION -> CniResponse.ok();
            };
        } catch (IpamException e) {
            throw e.toCni();
        } catch (BridgeNetwork.InterfaceExistsException e) {
            // what the reference bridge plugin answers (its "container veth name provided (eth0) already exists"
            // arrives as libcni's ErrInternal, 999): the config is fine, so 7 would blame the wrong thing
            throw new CniException(CniErrorCode.LIBCNI_INTERNAL, "container interface name provided (" + req.ifname()
                    + ") already exists: " + e.getMessage(), "CNI_IFNAME=" + req.ifname() + " is taken in CNI_NETNS=" + req.netns());
        } catch (IOException e) {
            throw new CniException(CniErrorCode.INTERNAL, req.command() + " failed: " + e.getMessage(), "");
        }
    }

    private CniResult add(CniRequest req, IpamConfig ic, LocalIpamStore store, BridgeNetwork net, long entered)
            throws IOException, IpamException, CniException {
        if (req.netns().isEmpty()) throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "CNI_NETNS is required for ADD", "");
        NetNs ns = NetNs.at(Path.of(req.netns()));
        if (!ns.exists()) {
            throw new CniException(CniErrorCode.INVALID_NETNS, "network namespace " + req.netns() + " does not exist", "");
        }
        long t0 = System.nanoTime();
        try (BridgeNetwork.Sandbox sb = net.openSandbox(ns)) { // opens on a worker while IPAM reserves
            Attachment bare = new Attachment(ns, req.ifname(), req.containerId(), List.of(), List.of(), Optional.empty());
            Optional<Future<MacAddress>> veth = net.startVeth(bare, sb); // the pair needs no address: overlap IPAM
            IpamCniHandler.Pending pending;
            try {
                pending = new IpamCniHandler(stores).reserve(req, ic, store);
            } catch (IpamException | IOException | CniException | RuntimeException e) {
                veth.ifPresent(f -> net.abandon(f, bare));
                throw e;
            }
            return attachAndCommit(req, ic, net, new Early(sb, veth, bare), pending, new long[] {entered, t0});
        }
    }

    /** What ADD started before IPAM answered: the sandbox socket and maybe the veth pair. */
    private record Early(BridgeNetwork.Sandbox sandbox, Optional<Future<MacAddress>> veth, Attachment bare) {}

    /** Plumbs the reserved addresses while their group commit runs; undoes both if anything fails. */
    private CniResult attachAndCommit(CniRequest req, IpamConfig ic, BridgeNetwork net, Early early,
                                      IpamCniHandler.Pending pending, long[] since) throws IOException, CniException {
        long t0 = since[1];
        Reservation resv = pending.reservation();
        CniResult ipam = pending.result();
        Attachment a = null;
        boolean attached = false;
        try {
            long t1 = System.nanoTime();
            a = attachment(req, ipam.ips(), ipam.routes());
            Steps st = new Steps();
            BridgeNetwork.Attached at = net.attach(a, early.sandbox(), early.veth(), st);
            attached = true;
            long t2 = System.nanoTime();
            resv.awaitDurable();
            long t3 = System.nanoTime();
            if (net.config().ipMasq()) masquerade(req.conf().name(), ic);
            LOG.log(System.Logger.Level.DEBUG, () -> "ADD " + req.containerId() + " phases: ipam " + (t1 - t0) / 1000 + " us, attach "
                    + (t2 - t1) / 1000 + " us, sync " + (t3 - t2) / 1000 + " us, masq " + (System.nanoTime() - t3) / 1000 + " us; ipam lockwait "
                    + resv.timing().lockWaitNanos() / 1000 + " held " + resv.timing().lockHeldNanos() / 1000 + " prepare "
                    + resv.timing().prepareNanos() / 1000 + " us; attach: " + st + "; config " + (t0 - since[0]) / 1000 + " us");
            return result(req, net, ipam, at);
        } catch (IOException | RuntimeException | CniException e) {
            if (attached) {
                try {
                    net.detach(a);
                } catch (IOException | RuntimeException d) {
                    e.addSuppressed(d);
                }
            } else {
                early.veth().ifPresent(f -> net.abandon(f, early.bare())); // e.g. a bad MAC before attach began
            }
            resv.cancel();
            throw e;
        }
    }

    private static CniResult result(CniRequest req, BridgeNetwork net, CniResult ipam, BridgeNetwork.Attached at) {
        List<CniInterface> ifs = List.of(
                CniInterface.of(at.bridge(), at.bridgeMac().map(MacAddress::toString).orElse(""), ""),
                CniInterface.of(at.hostVeth(), at.hostMac().map(MacAddress::toString).orElse(""), ""),
                CniInterface.of(at.ifname(), at.containerMac().map(MacAddress::toString).orElse(""), req.netns()));
        List<IpConfig> ips = ipam.ips().stream().map(ip -> new IpConfig(ip.address(), ip.gateway(), Optional.of(2))).toList();
        List<CniRoute> routes = new ArrayList<>(ipam.routes());
        if (net.config().isDefaultGateway()) {
            for (IpConfig ip : ips) {
                IpPrefix def = ip.address().family() == io.podnet.net.IpFamily.V4 ? IpPrefix.DEFAULT_V4 : IpPrefix.DEFAULT_V6;
                if (ip.gateway().isPresent() && routes.stream().noneMatch(r -> r.dst().equals(def))) routes.add(CniRoute.of(def, ip.gateway()));
            }
        }
        return new CniResult(ifs, ips, routes, req.conf().dns().or(ipam::dns));
    }

    private void masquerade(String network, IpamConfig ic) throws IOException {
        List<IpPrefix> subnets = new ArrayList<>();
        ic.rangeSets().forEach(rs -> rs.ranges().forEach(r -> subnets.add(r.subnet())));
        nft.setChain("masq_" + network.replaceAll("[^A-Za-z0-9_]", "_"), new NftTable.Chain("type nat hook postrouting priority srcnat; policy accept;",
                NftTable.masqueradeRules(network, subnets)));
        // the table belongs to the host: apply it on a worker inside the host namespace, not on whatever thread runs
        // this request (a shared NftTable() follows the applying thread; nft only forks when the rules changed)
        threads.call(host.namespace(), () -> {
            nft.apply();
            return null;
        });
    }

    private void check(CniRequest req, LocalIpamStore store, BridgeNetwork net) throws CniException, IOException, IpamException {
        if (req.conf().prevResult().isEmpty()) throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "CHECK needs prevResult", "");
        CniResult prev = ResultCodec.decode(req.conf().prevResult().get());
        Attachment a = attachment(req, prev.ips(), List.of());
        List<String> problems = new ArrayList<>(net.check(a));
        try {
            store.check(new Owner(req.containerId(), req.ifname()), prev.ips().stream().map(i -> i.address().address()).toList());
        } catch (IpamException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) throw new CniException(CniErrorCode.CHECK_FAILED, String.join("; ", problems), "");
    }

    private Attachment attachment(CniRequest req, List<IpConfig> ips, List<CniRoute> routes) throws CniException {
        Optional<MacAddress> mac;
        try {
            mac = req.requestedMac().map(MacAddress::parse);
        } catch (IllegalArgumentException e) {
            throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "invalid MAC: " + e.getMessage(), "");
        }
        NetNs ns = NetNs.at(Path.of(req.netns().isEmpty() ? "/nonexistent-netns" : req.netns()));
        List<Attachment.IpConfig> aips = ips.stream().map(i -> new Attachment.IpConfig(i.address(), i.gateway())).toList();
        List<Attachment.RouteSpec> rs = routes.stream().map(r -> new Attachment.RouteSpec(r.dst(), r.gw())).toList();
        return new Attachment(ns, req.ifname(), req.containerId(), aips, rs, mac);
    }

    private IpamConfig ipamConfig(CniRequest req) throws CniException {
        ObjectNode ipam = req.conf().ipam().orElseThrow(() -> new CniException(CniErrorCode.INVALID_NETWORK_CONFIG,
                "network " + req.conf().name() + " has no ipam section", ""));
        if (!ipam.has("dataDir")) ipam.put("dataDir", defaultIpamDir.toString());
        try {
            return ipamConfigs.decode(ipam, req.conf().name(), req.conf().runtimeConfig().ipRanges());
        } catch (IpamException e) {
            throw e.toCni();
        }
    }

    static BridgeConfig bridgeConfig(JsonNode c) throws CniException {
        try {
            return new BridgeConfig(c.path("bridge").asText("cni0"), c.path("mtu").asInt(0), c.path("isGateway").asBoolean(false),
                    c.path("isDefaultGateway").asBoolean(false), c.path("hairpinMode").asBoolean(false), c.path("ipMasq").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "invalid bridge config: " + e.getMessage(), "");
        }
    }

}
