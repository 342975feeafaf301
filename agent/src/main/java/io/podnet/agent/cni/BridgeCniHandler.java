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
import io.podnet.cni.CniCommand;
import io.podnet.dataplane.Kernel;
import io.podnet.dataplane.Sandboxes;
import io.podnet.net.Cidr;
import io.podnet.rtnetlink.NetNs;
import io.podnet.workload.bridge.Attachment;
import io.podnet.workload.bridge.BridgeConfig;
import io.podnet.workload.bridge.BridgeNetwork;
import io.podnet.workload.bridge.BridgeNetworks;
import io.podnet.workload.bridge.NodeBridge;
import io.podnet.workload.bridge.Steps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;

/**
 * CNI type {@code podnet}: a bridge network with podnet IPAM (the reference bridge + host-local, done in the
 * agent). ADD reserves, records the network and joins it (its bridge, gateways, forwarding and masquerade are the
 * node dataplane's desired state, applied before the veth when they are new), attaches, then waits for the
 * reservation to be durable; if anything fails, what was attached is detached and the reservation cancelled
 * before the error is returned (an existing CNI_IFNAME is code 999, as the reference bridge answers). DEL
 * detaches from the host end (tolerating a missing netns), releases, and when the network's last reservation
 * is gone withdraws the network's node state. CHECK verifies kernel state and the reservation. GC releases
 * reservations not in the valid list.
 * <pre>
 *  ADD ──► open sandbox view (worker) ─────────────────────────────────────┐
 *      └─► IPAM reserve (lock: link, ~0.2 ms) ──► record + join (new: apply) ──► attach (veth, sandbox config) ──► await sync ──► result
 *                 └─► data fsync ∥ group dir fsync (syncer threads) ──────────────────────────────────────┘
 * </pre>
 * <p>Complicating factors: the host's state is written only through the node dataplane, whatever thread and
 * namespace the request runs on; a network joined by an earlier ADD pays nothing for its node state; DEBUG
 * logging gives each ADD's phases (the CNI bench reads them).
 * <p>Config keys (as the reference bridge): {@code bridge} (default {@code cni0}), {@code isGateway},
 * {@code isDefaultGateway}, {@code ipMasq}, {@code mtu}, {@code hairpinMode}, {@code ipam} (host-local format).
 */
public final class BridgeCniHandler implements CniHandler {
    private static final System.Logger LOG = System.getLogger(BridgeCniHandler.class.getName());
    private final Kernel host;
    private final Sandboxes sandboxes;
    private final IpamStores stores;
    private final BridgeNetworks networks;
    private final Path defaultIpamDir;
    private final IpamConfigCache ipamConfigs = new IpamConfigCache();

    /**
     * @param host      the node dataplane's kernel (veths are made and reaped there)
     * @param sandboxes how pods are reached
     * @param networks  the node's bridge networks (their node state and records)
     */
    public BridgeCniHandler(Kernel host, Sandboxes sandboxes, IpamStores stores, BridgeNetworks networks, Path defaultIpamDir) {
        this.host = host;
        this.sandboxes = sandboxes;
        this.stores = stores;
        this.networks = networks;
        this.defaultIpamDir = defaultIpamDir;
    }

    /** The endpoints of a recorded network, from its IPAM reservations (for {@link BridgeNetworks#restore}). */
    public List<BridgeNetworks.Endpoint> endpoints(BridgeNetworks.Record r) {
        try {
            return stores.get(Path.of(r.ipamDir()), true).reservations().values().stream().distinct()
                    .map(o -> new BridgeNetworks.Endpoint(o.containerId(), o.ifname())).toList();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "network " + r.name() + ": cannot read its reservations in " + r.ipamDir() + " (" + e.getMessage()
                    + "); keeping it");
            return List.of(new BridgeNetworks.Endpoint("unknown", "unknown"));
        }
    }

    @Override
    public CniResponse handle(CniRequest req) throws CniException {
        long entered = System.nanoTime();
        BridgeConfig bc = bridgeConfig(req.conf().raw());
        if (req.conf().name().isEmpty() && req.command() != CniCommand.VERSION && req.command() != CniCommand.STATUS) {
            throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "invalid network config: name: is required", "");
        }
        IpamConfig ic = ipamConfig(req);
        String name = req.conf().name();
        try {
            LocalIpamStore store = stores.get(ic.networkDir(), ic.fsync());
            return switch (req.command()) {
                case ADD -> CniResponse.result(add(req, bc, ic, store, entered), req.conf().version());
                case DEL -> {
                    Steps st = new Steps();
                    Attachment a = attachment(req, List.of(), List.of());
                    Optional<NodeBridge> node = networks.network(name);
                    if (node.isPresent()) new BridgeNetwork(node.get(), host, sandboxes).detach(a, st);
                    else host.reapLink(a.hostVethName());
                    store.release(new Owner(req.containerId(), req.ifname()));
                    st.mark("release");
                    networks.released(name, () -> reservationCount(store));
                    LOG.log(System.Logger.Level.DEBUG, () -> "DEL " + req.containerId() + " steps: " + st);
                    yield CniResponse.ok();
                }
                case CHECK -> {
                    check(req, store, network(name, bc));
                    yield CniResponse.ok();
                }
                case GC -> {
                    List<Owner> valid = req.conf().validAttachments().stream().map(a -> new Owner(a.containerId(), a.ifname())).toList();
                    Optional<NodeBridge> node = networks.network(name);
                    for (Owner gone : store.releaseAllExcept(valid).keySet()) {
                        String veth = Attachment.hostVethName(gone.containerId(), gone.ifname());
                        node.ifPresent(n -> n.portDetached(veth));
                        host.reapLink(veth);
                    }
                    networks.released(name, () -> reservationCount(store));
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

    private static int reservationCount(LocalIpamStore store) {
        try {
            return store.reservations().size();
        } catch (IOException e) {
            return 1; // unknown: keep the network
        }
    }

    /** A network's per-pod steps; a network not known yet (CHECK after a lost record) gets a node side that owns nothing. */
    private BridgeNetwork network(String name, BridgeConfig bc) {
        NodeBridge node = networks.network(name).orElse(null);
        return new BridgeNetwork(node != null ? node : new NodeBridge(name, bc, false, null), host, sandboxes);
    }

    private static List<IpPrefix> subnets(IpamConfig ic) {
        List<IpPrefix> out = new ArrayList<>();
        ic.rangeSets().forEach(rs -> rs.ranges().forEach(r -> out.add(r.subnet())));
        return out;
    }

    private CniResult add(CniRequest req, BridgeConfig bc, IpamConfig ic, LocalIpamStore store, long entered)
            throws IOException, IpamException, CniException {
        if (req.netns().isEmpty()) throw new CniException(CniErrorCode.INVALID_ENVIRONMENT, "CNI_NETNS is required for ADD", "");
        NetNs ns = NetNs.at(Path.of(req.netns()));
        if (!sandboxes.exists(ns)) {
            throw new CniException(CniErrorCode.INVALID_NETNS, "network namespace " + req.netns() + " does not exist", "");
        }
        long t0 = System.nanoTime();
        // a network joined by an earlier ADD with this config: its veth can be made while IPAM reserves
        Optional<NodeBridge> known = networks.network(req.conf().name()).filter(n -> n.config().equals(bc));
        BridgeNetwork early = new BridgeNetwork(known.orElse(new NodeBridge(req.conf().name(), bc, false, null)), host, sandboxes);
        try (BridgeNetwork.Sandbox sb = early.openSandbox(ns)) { // opens on a worker while IPAM reserves
            Attachment bare = new Attachment(ns, req.ifname(), req.containerId(), List.of(), List.of(), Optional.empty());
            Optional<Future<MacAddress>> veth = known.isPresent() ? early.startVeth(bare, sb) : Optional.empty();
            IpamCniHandler.Pending pending;
            try {
                pending = new IpamCniHandler(stores).reserve(req, ic, store);
            } catch (IpamException | IOException | CniException | RuntimeException e) {
                veth.ifPresent(f -> early.abandon(f, bare));
                throw e;
            }
            return attachAndCommit(req, bc, ic, new Early(sb, veth, bare, early), pending, new long[] {entered, t0});
        }
    }

    /** What ADD started before IPAM answered: the sandbox view and maybe the veth pair. */
    private record Early(BridgeNetwork.Sandbox sandbox, Optional<Future<MacAddress>> veth, Attachment bare, BridgeNetwork net) {}

    /** Joins the network and plumbs the reserved addresses while their group commit runs; undoes both if anything fails. */
    private CniResult attachAndCommit(CniRequest req, BridgeConfig bc, IpamConfig ic, Early early, IpamCniHandler.Pending pending,
                                      long[] since) throws IOException, CniException {
        long t0 = since[1];
        Reservation resv = pending.reservation();
        CniResult ipam = pending.result();
        Attachment a = null;
        BridgeNetwork net = early.net();
        boolean attached = false;
        try {
            long t1 = System.nanoTime();
            a = attachment(req, ipam.ips(), ipam.routes());
            List<Cidr> gateways = bc.isGateway() ? BridgeNetwork.gateways(a) : List.of();
            NodeBridge node = networks.prepare(req.conf().name(), bc, gateways, subnets(ic), ic.networkDir());
            node.join(gateways, subnets(ic));
            if (net.node() != node) net = new BridgeNetwork(node, host, sandboxes);
            Steps st = new Steps();
            st.mark("join");
            BridgeNetwork.Attached at = net.attach(a, early.sandbox(), early.veth(), st);
            attached = true;
            long t2 = System.nanoTime();
            resv.awaitDurable();
            long t3 = System.nanoTime();
            LOG.log(System.Logger.Level.DEBUG, () -> "ADD " + req.containerId() + " phases: ipam " + (t1 - t0) / 1000 + " us, attach "
                    + (t2 - t1) / 1000 + " us, sync " + (t3 - t2) / 1000 + " us, masq 0 us; ipam lockwait "
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
                early.veth().ifPresent(f -> early.net().abandon(f, early.bare())); // e.g. a bad MAC before attach began
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
