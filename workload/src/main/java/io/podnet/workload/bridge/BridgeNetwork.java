package io.podnet.workload.bridge;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.AddressFlag;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.NetlinkException;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Attaches and detaches workloads on one bridge network. Every step is idempotent ({@code ensure…},
 * replace, deleteIfPresent), so a retried ADD after a crash converges, and a failed attach removes what it
 * made before it throws.
 * <p>Complicating factors: the sandbox may already hold an interface named {@code ifname} (the runtime's
 * error, reported as such, nothing removed); the host end of a crashed earlier attempt may linger under the
 * same hash name (removed first); the sandbox may be gone at DEL time (then only the host end is removed).
 */
public final class BridgeNetwork {
    private final Rtnetlink host;
    private final BridgeConfig config;

    public BridgeNetwork(Rtnetlink host, BridgeConfig config) {
        this.host = host;
        this.config = config;
    }

    public BridgeConfig config() { return config; }

    /** What an attach made, for the CNI result's {@code interfaces}. */
    public record Attached(String bridge, Optional<MacAddress> bridgeMac, String hostVeth, Optional<MacAddress> hostMac,
                           String ifname, Optional<MacAddress> containerMac, int mtu) {}

    /** Thrown when the sandbox already has an interface of the requested name. */
    public static final class InterfaceExistsException extends IOException {
        public InterfaceExistsException(String ifname, String sandbox) {
            super("interface " + ifname + " already exists in " + sandbox);
        }
    }

    /**
     * Creates the bridge if missing, puts the gateway addresses on it when {@code isGateway}, brings it up.
     * Equivalent to {@code ip link add BR type bridge; ip addr replace GW/LEN dev BR; ip link set BR up}.
     */
    public Link ensureBridge(List<Cidr> gateways) throws IOException {
        Optional<Link> existing = host.links().get(config.bridge());
        if (existing.isPresent() && !(existing.get().kind() instanceof LinkKind.Bridge)) {
            throw new IOException("link " + config.bridge() + " exists and is not a bridge (" + existing.get().kind().kindName() + ")");
        }
        if (existing.isEmpty()) {
            LinkAttrs attrs = LinkAttrs.named(config.bridge());
            if (config.mtu() > 0) attrs = attrs.mtu(config.mtu());
            try {
                host.links().add(attrs, new LinkKind.Bridge());
            } catch (NetlinkException e) {
                if (!e.isExists()) throw e;
            }
            host.sysctls().setAcceptRa(config.bridge(), 0);
        }
        if (config.isGateway()) {
            for (Cidr gw : gateways) {
                host.addresses().replace(new Address(config.bridge(), gw, null,
                        gw.family() == IpFamily.V6 ? java.util.Set.of(AddressFlag.NODAD) : java.util.Set.of()));
                host.sysctls().setIpForwarding(gw.family(), true);
            }
        }
        host.links().setUp(config.bridge());
        return host.links().get(config.bridge()).orElseThrow();
    }

    /** Attaches one workload; on failure removes the veth it created and rethrows. */
    public Attached attach(Attachment a) throws IOException {
        List<Cidr> gateways = new ArrayList<>();
        for (Attachment.IpConfig ip : a.ips()) ip.gateway().ifPresent(g -> gateways.add(new Cidr(g, ip.address().length())));
        Link bridge = ensureBridge(gateways);
        String hostVeth = a.hostVethName();
        try (Rtnetlink sandbox = Rtnetlink.open(a.sandbox())) {
            if (sandbox.links().get(a.ifname()).isPresent()) throw new InterfaceExistsException(a.ifname(), a.sandbox().toString());
            host.links().deleteIfPresent(hostVeth); // leftover of a crashed attempt for the same container/ifname
            LinkAttrs attrs = LinkAttrs.named(hostVeth).master(config.bridge());
            if (config.mtu() > 0) attrs = attrs.mtu(config.mtu());
            host.links().add(attrs, LinkKind.Veth.peerIn(a.ifname(), a.sandbox()));
            try {
                return configure(a, sandbox, bridge, hostVeth);
            } catch (IOException | RuntimeException e) {
                host.links().deleteIfPresent(hostVeth);
                throw e;
            }
        }
    }

    private Attached configure(Attachment a, Rtnetlink sandbox, Link bridge, String hostVeth) throws IOException {
        if (config.hairpin()) host.links().setHairpin(hostVeth, true);
        host.links().setUp(hostVeth);
        if (a.mac().isPresent()) sandbox.links().setMac(a.ifname(), a.mac().get());
        if (config.mtu() > 0) sandbox.links().setMtu(a.ifname(), config.mtu());
        sandbox.links().setUp("lo");
        for (Attachment.IpConfig ip : a.ips()) {
            var flags = ip.address().family() == IpFamily.V6 ? java.util.Set.of(AddressFlag.NODAD) : java.util.Set.<AddressFlag>of();
            sandbox.addresses().replace(new Address(a.ifname(), ip.address(), null, flags));
        }
        sandbox.links().setUp(a.ifname());
        for (Route r : sandboxRoutes(a)) sandbox.routes().replace(r);
        Link hostLink = host.links().get(hostVeth).orElseThrow();
        Link inner = sandbox.links().get(a.ifname()).orElseThrow();
        return new Attached(config.bridge(), bridge.mac(), hostVeth, hostLink.mac(), a.ifname(), inner.mac(), inner.mtu());
    }

    /** The routes an attachment gets: its explicit routes, plus a default route when isDefaultGateway. */
    List<Route> sandboxRoutes(Attachment a) {
        List<Route> out = new ArrayList<>();
        for (Attachment.RouteSpec r : a.routes()) {
            Optional<IpAddress> gw = r.gateway().or(() -> gatewayFor(a, r.dst().family()));
            out.add(gw.isPresent() ? Route.via(r.dst(), gw.get(), a.ifname()) : Route.device(r.dst(), a.ifname()));
        }
        if (config.isDefaultGateway()) {
            for (IpFamily f : IpFamily.values()) {
                IpPrefix def = f == IpFamily.V4 ? IpPrefix.DEFAULT_V4 : IpPrefix.DEFAULT_V6;
                Optional<IpAddress> gw = gatewayFor(a, f);
                if (gw.isPresent() && out.stream().noneMatch(r -> r.dst().equals(def))) out.add(Route.via(def, gw.get(), a.ifname()));
            }
        }
        return out;
    }

    private static Optional<IpAddress> gatewayFor(Attachment a, IpFamily f) {
        return a.ips().stream().filter(i -> i.address().family() == f).flatMap(i -> i.gateway().stream()).findFirst();
    }

    /**
     * Detaches a workload; succeeds when things are already gone (no sandbox, no interface, repeated calls).
     * Deleting the sandbox end removes the pair; the host end is removed too in case the pair was split.
     */
    public void detach(Attachment a) throws IOException {
        if (a.sandbox().exists()) {
            try (Rtnetlink sandbox = Rtnetlink.open(a.sandbox())) {
                sandbox.links().deleteIfPresent(a.ifname());
            } catch (NetlinkException e) {
                if (!e.isNotFound()) throw e;
            }
        }
        host.links().deleteIfPresent(a.hostVethName());
    }

    /** Verifies an attachment; returns what is wrong (empty when healthy). */
    public List<String> check(Attachment a) throws IOException {
        List<String> problems = new ArrayList<>();
        Optional<Link> br = host.links().get(config.bridge());
        if (br.isEmpty()) problems.add("bridge " + config.bridge() + " is missing");
        Optional<Link> hostLink = host.links().get(a.hostVethName());
        if (hostLink.isEmpty()) {
            problems.add("host veth " + a.hostVethName() + " is missing");
        } else if (br.isPresent() && !hostLink.get().masterIndex().equals(java.util.OptionalInt.of(br.get().index()))) {
            problems.add("host veth " + a.hostVethName() + " is not attached to bridge " + config.bridge());
        }
        if (!a.sandbox().exists()) {
            problems.add("sandbox " + a.sandbox() + " does not exist");
            return problems;
        }
        try (Rtnetlink sandbox = Rtnetlink.open(a.sandbox())) {
            if (sandbox.links().get(a.ifname()).isEmpty()) {
                problems.add("interface " + a.ifname() + " is missing in " + a.sandbox());
                return problems;
            }
            List<Cidr> have = sandbox.addresses().list(a.ifname()).stream().map(Address::cidr).toList();
            for (Attachment.IpConfig ip : a.ips()) {
                if (!have.contains(ip.address())) problems.add("address " + ip.address() + " is missing on " + a.ifname());
            }
            List<Route> routes = sandbox.routes().list();
            for (Route want : sandboxRoutes(a)) {
                boolean found = routes.stream().anyMatch(r -> r.dst().equals(want.dst()) && r.gateway().equals(want.gateway()));
                if (!found) problems.add("route " + want.dst() + want.gateway().map(g -> " via " + g).orElse("") + " is missing");
            }
        }
        return problems;
    }
}
