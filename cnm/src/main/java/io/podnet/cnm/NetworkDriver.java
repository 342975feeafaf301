package io.podnet.cnm;

import io.podnet.cnm.CnmException.Kind;
import io.podnet.cnm.state.EndpointState;
import io.podnet.cnm.state.NetworkState;
import io.podnet.cnm.state.PortMapping;
import io.podnet.cnm.state.StateDir;
import io.podnet.net.Cidr;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.LinkReaper;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.workload.bridge.BridgeConfig;
import io.podnet.workload.bridge.BridgeNetwork;
import io.podnet.workload.nft.NftTable;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network-driver half: one bridge per network (gateway address on it), one veth pair per joined
 * endpoint with both ends in the host namespace (Docker moves {@code SrcName} into the sandbox and renames
 * it), published ports as DNAT rules. State is written through to {@link StateDir}; every operation undoes
 * what it made when it fails. Thread-safe (all public methods are synchronized).
 */
final class NetworkDriver {
    private static final System.Logger LOG = System.getLogger(NetworkDriver.class.getName());
    private final CnmConfig config;
    private final StateDir state;
    private final Rtnetlink host;
    private final NftTable nft;
    private final LinkReaper reaper;
    private final Map<String, NetworkState> networks;
    private final Map<String, EndpointState> endpoints;

    /** What Join answers: the interface Docker moves into the sandbox and the default gateway. */
    record Joined(String srcName, String gateway, Optional<String> gateway6) {}

    /** @param reaper deletes veths in {@code host}'s namespace, returning once they are unregistered */
    NetworkDriver(CnmConfig config, StateDir state, Rtnetlink host, NftTable nft, LinkReaper reaper) throws IOException {
        this.config = config;
        this.state = state;
        this.host = host;
        this.nft = nft;
        this.reaper = reaper;
        this.networks = new LinkedHashMap<>(state.networks());
        this.endpoints = new LinkedHashMap<>(state.endpoints());
    }

    static String bridgeName(String networkId) { return "pnd" + shortId(networkId); }

    static String hostVeth(String endpointId) { return "pnh" + shortId(endpointId); }

    static String containerVeth(String endpointId) { return "pnc" + shortId(endpointId); }

    private static String shortId(String id) {
        StateDir.safe(id);
        if (!id.matches("[0-9A-Za-z]+")) throw new IllegalArgumentException("invalid id: " + id);
        return id.substring(0, Math.min(11, id.length()));
    }

    /** After our restart: bridges back (e.g. after a reboot) and the nft chains re-applied. */
    synchronized void restore() {
        for (NetworkState n : networks.values()) {
            try {
                ensureBridge(n);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot restore bridge " + n.bridge() + ": " + e.getMessage());
            }
        }
        if (networks.isEmpty() && endpoints.isEmpty()) return;
        try {
            applyRules();
        } catch (CnmException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot restore nft rules: " + e.getMessage());
        }
    }

    /** Creates the network's bridge with its gateway(s); {@code pool6}/{@code gateway6} are null on an IPv4-only network. */
    synchronized void createNetwork(String networkId, String pool, String gateway, String pool6, String gateway6) throws CnmException {
        NetworkState n;
        try {
            Cidr gw = checkedGateway(pool, gateway, true);
            Cidr gw6 = pool6 == null ? null : checkedGateway(pool6, gateway6, false);
            n = new NetworkState(networkId, bridgeName(networkId), IpPrefix.parse(pool).toString(), gw.toString(),
                    pool6 == null ? null : IpPrefix.parse(pool6).toString(), gw6 == null ? null : gw6.toString());
        } catch (IllegalArgumentException e) {
            throw new CnmException(Kind.BAD_REQUEST, e.getMessage(), e);
        }
        if (n.equals(networks.get(networkId))) return;
        if (networks.containsKey(networkId)) throw new CnmException(Kind.CONFLICT, "network " + networkId + " exists with other settings");
        boolean existed = exists(n.bridge());
        try {
            ensureBridge(n);
            networks.put(networkId, n);
            state.putNetwork(n);
            applyRules();
        } catch (IOException | CnmException | RuntimeException e) {
            networks.remove(networkId);
            quietly(() -> state.deleteNetwork(networkId));
            if (!existed) quietly(() -> host.links().deleteIfPresent(n.bridge()));
            quietly(this::applyRules);
            throw wrap("CreateNetwork", e);
        }
    }

    private static Cidr checkedGateway(String pool, String gateway, boolean v4) {
        IpPrefix p = IpPrefix.parse(pool);
        if (p.address().isV4() != v4) throw new IllegalArgumentException("pool " + pool + " is not IPv" + (v4 ? "4" : "6"));
        Cidr gw = Cidr.parse(gateway);
        if (!p.contains(gw.address())) throw new IllegalArgumentException("gateway " + gateway + " is outside pool " + pool);
        return new Cidr(gw.address(), p.length());
    }

    synchronized void deleteNetwork(String networkId) throws CnmException {
        NetworkState n = networks.get(networkId);
        if (n == null) return;
        try {
            for (EndpointState e : List.copyOf(endpoints.values())) {
                if (e.networkId().equals(networkId)) deleteEndpoint(networkId, e.endpointId());
            }
            host.links().deleteIfPresent(n.bridge());
            networks.remove(networkId);
            state.deleteNetwork(networkId);
            applyRules();
        } catch (IOException | RuntimeException e) {
            throw wrap("DeleteNetwork", e);
        }
    }

    synchronized void createEndpoint(String networkId, String endpointId, String address, String address6, String mac,
                                     List<PortMapping> ports) throws CnmException {
        NetworkState n = network(networkId);
        EndpointState e;
        try {
            Cidr a = Cidr.parse(address);
            if (!IpPrefix.parse(n.pool()).contains(a.address())) throw new IllegalArgumentException("address " + address + " is outside pool " + n.pool());
            if (!address6.isEmpty()) {
                if (!n.dualStack()) throw new IllegalArgumentException("IPv6 address " + address6 + " on a network without an IPv6 pool");
                Cidr a6 = Cidr.parse(address6);
                if (!IpPrefix.parse(n.pool6()).contains(a6.address())) {
                    throw new IllegalArgumentException("address " + address6 + " is outside pool " + n.pool6());
                }
            }
            e = new EndpointState(networkId, endpointId, a.toString(), mac, hostVeth(endpointId), containerVeth(endpointId), false, false,
                    ports, address6);
        } catch (IllegalArgumentException ex) {
            throw new CnmException(Kind.BAD_REQUEST, "endpoint " + endpointId + ": " + ex.getMessage(), ex);
        }
        EndpointState old = endpoints.get(endpointId);
        if (old != null && !old.networkId().equals(networkId)) throw new CnmException(Kind.CONFLICT, "endpoint " + endpointId + " exists on another network");
        refusePortClash(endpointId, ports);
        try {
            state.putEndpoint(e);
            endpoints.put(endpointId, e);
        } catch (IOException | RuntimeException ex) {
            quietly(() -> state.deleteEndpoint(endpointId));
            throw wrap("CreateEndpoint", ex);
        }
    }

    /**
     * Docker allocates no host ports for remote drivers, so two containers could ask for the same one; the second
     * would silently lose to the first DNAT rule. Refused at CreateEndpoint, before anything exists.
     */
    private void refusePortClash(String endpointId, List<PortMapping> ports) throws CnmException {
        for (EndpointState other : endpoints.values()) {
            if (other.endpointId().equals(endpointId)) continue;
            for (PortMapping m : ports) {
                for (PortMapping o : other.ports()) {
                    if (m.clashesWith(o)) {
                        throw new CnmException(Kind.CONFLICT, "host port " + m.hostSide() + " is already published by endpoint "
                                + other.endpointId().substring(0, Math.min(12, other.endpointId().length())) + " (" + o.hostSide() + ")");
                    }
                }
            }
        }
    }

    synchronized Map<String, Object> operInfo(String networkId, String endpointId) {
        EndpointState e = endpoints.get(endpointId);
        if (e == null) return Map.of();
        return Map.of("bridge", bridgeName(e.networkId()), "hostVeth", e.hostVeth(), "address", e.address(),
                "joined", e.joined(), "published", e.published(), "portmap", e.ports());
    }

    synchronized void deleteEndpoint(String networkId, String endpointId) throws CnmException {
        EndpointState e = endpoints.get(endpointId);
        if (e == null) return;
        try {
            deletePair(e);
            endpoints.remove(endpointId);
            state.deleteEndpoint(endpointId);
            if (e.published()) applyRules();
        } catch (IOException | RuntimeException ex) {
            throw wrap("DeleteEndpoint", ex);
        }
    }

    /**
     * Deletes an endpoint's veth pair (both names, for a pair whose ends were split): each returns once the kernel
     * has unregistered it; the kernel's 10-40 ms of freeing it run on the reaper, not under this driver's lock
     * and not on the netlink handle the agent's other requests share.
     */
    private void deletePair(EndpointState e) throws IOException {
        reaper.delete(e.hostVeth());
        reaper.delete(e.containerVeth());
    }

    synchronized Joined join(String networkId, String endpointId, Optional<List<PortMapping>> ports) throws CnmException {
        NetworkState n = network(networkId);
        EndpointState e = endpoint(endpointId);
        boolean made = false;
        try {
            ensureBridge(n);
            deletePair(e); // leftovers of a crash between add and persist
            host.links().add(LinkAttrs.named(e.hostVeth()).master(n.bridge()).up(), LinkKind.Veth.peer(e.containerVeth()));
            made = true;
            EndpointState j = e.withJoined(true).withPublished(false, ports.orElse(e.ports()));
            state.putEndpoint(j);
            endpoints.put(endpointId, j);
            return new Joined(e.containerVeth(), Cidr.parse(n.gateway()).address().toString(),
                    n.dualStack() ? Optional.of(Cidr.parse(n.gateway6()).address().toString()) : Optional.empty());
        } catch (IOException | RuntimeException ex) {
            if (made) quietly(() -> reaper.delete(e.hostVeth()));
            endpoints.put(endpointId, e);
            quietly(() -> state.putEndpoint(e));
            throw wrap("Join", ex);
        }
    }

    synchronized void leave(String networkId, String endpointId) throws CnmException {
        EndpointState e = endpoints.get(endpointId);
        if (e == null) return;
        try {
            deletePair(e); // wherever Docker left the other end
            EndpointState left = e.withJoined(false).withPublished(false, e.ports());
            endpoints.put(endpointId, left);
            state.putEndpoint(left);
            if (e.published()) applyRules();
        } catch (IOException | RuntimeException ex) {
            throw wrap("Leave", ex);
        }
    }

    synchronized void programExternalConnectivity(String networkId, String endpointId, Optional<List<PortMapping>> ports) throws CnmException {
        EndpointState e = endpoint(endpointId);
        setPublished(e, e.withPublished(true, ports.orElse(e.ports())), "ProgramExternalConnectivity");
    }

    synchronized void revokeExternalConnectivity(String networkId, String endpointId) throws CnmException {
        EndpointState e = endpoints.get(endpointId);
        if (e == null || !e.published()) return;
        setPublished(e, e.withPublished(false, e.ports()), "RevokeExternalConnectivity");
    }

    private void setPublished(EndpointState before, EndpointState after, String op) throws CnmException {
        endpoints.put(after.endpointId(), after);
        try {
            applyRules();
            state.putEndpoint(after);
        } catch (IOException | CnmException | RuntimeException ex) {
            endpoints.put(before.endpointId(), before);
            quietly(this::applyRules);
            throw wrap(op, ex);
        }
    }

    synchronized Map<String, EndpointState> endpoints() { return Map.copyOf(endpoints); }

    synchronized Map<String, NetworkState> networks() { return Map.copyOf(networks); }

    private void ensureBridge(NetworkState n) throws IOException {
        BridgeNetwork b = new BridgeNetwork(host, new BridgeConfig(n.bridge(), 0, true, false, false, config.ipMasq()));
        b.ensureBridge(n.dualStack() ? List.of(Cidr.parse(n.gateway()), Cidr.parse(n.gateway6())) : List.of(Cidr.parse(n.gateway())));
        // published ports on 127.0.0.1 are DNATed to the container: loopback sources must be routable here
        host.sysctls().ensure("net/ipv4/conf/" + n.bridge() + "/route_localnet", "1");
    }

    private boolean exists(String link) throws CnmException {
        try {
            return host.links().get(link).isPresent();
        } catch (IOException e) {
            throw new CnmException(Kind.SYSTEM, e.getMessage(), e);
        }
    }

    private void applyRules() throws CnmException {
        PortRules.render(nft, networks.values(), endpoints.values(), config.ipMasq());
        try {
            if (host.namespace().isCurrent()) {
                nft.apply();
            } else {
                host.namespace().run(() -> {
                    nft.apply();
                    return null;
                });
            }
        } catch (IOException e) {
            throw new CnmException(Kind.SYSTEM, "nft: " + e.getMessage(), e);
        }
    }

    private NetworkState network(String id) throws CnmException {
        NetworkState n = networks.get(id);
        if (n == null) throw new CnmException(Kind.NOT_FOUND, "network " + id + " not found");
        return n;
    }

    private EndpointState endpoint(String id) throws CnmException {
        EndpointState e = endpoints.get(id);
        if (e == null) throw new CnmException(Kind.NOT_FOUND, "endpoint " + id + " not found");
        return e;
    }

    private static CnmException wrap(String op, Exception e) {
        if (e instanceof CnmException c) return c;
        Kind k = e instanceof IllegalArgumentException ? Kind.BAD_REQUEST : Kind.SYSTEM;
        return new CnmException(k, op + ": " + e.getMessage(), e);
    }

    private interface Undo {
        void run() throws Exception;
    }

    private static void quietly(Undo u) {
        try {
            u.run();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "cleanup failed: " + e.getMessage());
        }
    }
}
