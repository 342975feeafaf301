package io.podnet.cnm;

import io.podnet.cnm.CnmException.Kind;
import io.podnet.cnm.state.EndpointState;
import io.podnet.cnm.state.NetworkState;
import io.podnet.cnm.state.PortMapping;
import io.podnet.cnm.state.StateDir;
import io.podnet.dataplane.ApplyReport;
import io.podnet.dataplane.Kernel;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.SysctlTable;
import io.podnet.net.Cidr;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.AddressFlag;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.workload.bridge.NodeBridge;
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
 * <p>The node's share is desired state in the {@link NodeDataplane} under owner {@value #OWNER}: each network's
 * bridge ({@code pnd…}, a name prefix the node owns, MAC pinned), its gateways, {@code route_localnet} (published
 * ports on 127.0.0.1), forwarding, the joined endpoints' host veths as its ports, and the {@code cnm_*} nft
 * chains ({@link PortRules}). So a deleted bridge or chain comes back by itself, and {@link #restore} at agent
 * start rebuilds it all from the state directory before the node's first pass. The veth pairs are per-endpoint
 * ensure-steps through the node's {@link Kernel}.
 */
final class NetworkDriver {
    static final String OWNER = "cnm";
    private static final System.Logger LOG = System.getLogger(NetworkDriver.class.getName());
    private final CnmConfig config;
    private final StateDir state;
    private final NodeDataplane dp;
    private final Kernel host;
    private final Map<String, NetworkState> networks;
    private final Map<String, EndpointState> endpoints;

    /** What Join answers: the interface Docker moves into the sandbox and the default gateway. */
    record Joined(String srcName, String gateway, Optional<String> gateway6) {}

    NetworkDriver(CnmConfig config, StateDir state, NodeDataplane dp) throws IOException {
        this.config = config;
        this.state = state;
        this.dp = dp;
        this.host = dp.kernel();
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

    /**
     * After our restart, before the node's first pass: every network's bridge and every joined endpoint's port
     * and rules as desired state (applied by that pass, e.g. bridges back after a reboot).
     */
    synchronized void restore() {
        for (NetworkState n : networks.values()) desireBridge(n);
        for (EndpointState e : endpoints.values()) {
            NetworkState n = networks.get(e.networkId());
            if (e.joined() && n != null) dp.ports().setPort(OWNER, e.hostVeth(), n.bridge());
        }
        PortRules.render(dp.nft(), OWNER, networks.values(), endpoints.values(), config.ipMasq());
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
        try {
            networks.put(networkId, n);
            state.putNetwork(n);
            desireBridge(n);
            applyRules();
        } catch (IOException | CnmException | RuntimeException e) {
            networks.remove(networkId);
            quietly(() -> state.deleteNetwork(networkId));
            undesireBridge(n);
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
            undesireBridge(n);
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
        dp.ports().removePort(OWNER, e.hostVeth());
        host.reapLink(e.hostVeth());
        host.reapLink(e.containerVeth());
    }

    synchronized Joined join(String networkId, String endpointId, Optional<List<PortMapping>> ports) throws CnmException {
        NetworkState n = network(networkId);
        EndpointState e = endpoint(endpointId);
        boolean made = false;
        try {
            if (host.getLink(n.bridge()).isEmpty()) dp.repair(n.bridge()); // deleted, and no event has been seen yet
            deletePair(e); // leftovers of a crash between add and persist
            host.addLink(LinkAttrs.named(e.hostVeth()).master(n.bridge()).up(), LinkKind.Veth.peer(e.containerVeth()));
            made = true;
            dp.ports().setPortProgrammed(OWNER, e.hostVeth(), n.bridge());
            EndpointState j = e.withJoined(true).withPublished(false, ports.orElse(e.ports()));
            state.putEndpoint(j);
            endpoints.put(endpointId, j);
            return new Joined(e.containerVeth(), Cidr.parse(n.gateway()).address().toString(),
                    n.dualStack() ? Optional.of(Cidr.parse(n.gateway6()).address().toString()) : Optional.empty());
        } catch (IOException | RuntimeException ex) {
            if (made) quietly(() -> deletePair(e));
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

    private static List<Cidr> gateways(NetworkState n) {
        return n.dualStack() ? List.of(Cidr.parse(n.gateway()), Cidr.parse(n.gateway6())) : List.of(Cidr.parse(n.gateway()));
    }

    /** The network's bridge, gateways and sysctls as desired state (applied by {@link #applyRules} or the first pass). */
    private void desireBridge(NetworkState n) {
        dp.links().setLink(OWNER, LinkAttrs.named(n.bridge()).mac(NodeBridge.bridgeMac(n.bridge())).up(), new LinkKind.Bridge());
        dp.addresses().ownDevice(OWNER, n.bridge());
        for (Cidr gw : gateways(n)) {
            dp.addresses().setAddress(OWNER, new Address(n.bridge(), gw, null, gw.family() == IpFamily.V6 ? java.util.Set.of(AddressFlag.NODAD) : java.util.Set.of()));
            dp.sysctls().setSysctl(OWNER, SysctlTable.forwarding(gw.family()), "1");
        }
        dp.sysctls().setSysctl(OWNER, "net/ipv6/conf/" + n.bridge() + "/accept_ra", "0");
        // published ports on 127.0.0.1 are DNATed to the container: loopback sources must be routable here
        dp.sysctls().setSysctl(OWNER, "net/ipv4/conf/" + n.bridge() + "/route_localnet", "1");
        desireForward(Optional.empty());
    }

    /** FORWARD accepts for every Docker network's subnets but {@code leaving} (dockerd's FORWARD DROP stays out). */
    private void desireForward(Optional<String> leaving) {
        dp.forward().acceptPods(OWNER, networks.values().stream().filter(x -> leaving.map(id -> !id.equals(x.networkId())).orElse(true))
                .flatMap(x -> gateways(x).stream()).map(Cidr::prefix).toList());
    }

    private void undesireBridge(NetworkState n) {
        for (Cidr gw : gateways(n)) dp.addresses().removeAddress(OWNER, n.bridge(), gw);
        dp.addresses().disownDevice(OWNER, n.bridge());
        dp.sysctls().removeSysctl(OWNER, "net/ipv6/conf/" + n.bridge() + "/accept_ra");
        dp.sysctls().removeSysctl(OWNER, "net/ipv4/conf/" + n.bridge() + "/route_localnet");
        desireForward(Optional.of(n.networkId()));
        if (networks.keySet().stream().allMatch(id -> id.equals(n.networkId()))) { // the last Docker network
            for (IpFamily f : IpFamily.values()) dp.sysctls().removeSysctl(OWNER, SysctlTable.forwarding(f));
        }
        dp.links().removeLink(OWNER, n.bridge());
    }

    /** The cnm chains for the current state, applied now; a failure of our bridges or chains is the caller's error. */
    private void applyRules() throws CnmException {
        try {
            PortRules.render(dp.nft(), OWNER, networks.values(), endpoints.values(), config.ipMasq());
        } catch (IllegalArgumentException e) {
            throw new CnmException(Kind.BAD_REQUEST, "nft: " + e.getMessage(), e);
        }
        ApplyReport r = dp.applyNow();
        List<String> ours = r.failures().stream().filter(f -> f.startsWith("nft") || f.contains(" dev pnd") || f.contains("link pnd")).toList();
        if (!ours.isEmpty()) throw new CnmException(Kind.SYSTEM, String.join("; ", ours));
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
