package io.podnet.workload.bridge;

import io.podnet.dataplane.Kernel;
import io.podnet.dataplane.Sandboxes;
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
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.NetlinkException;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.message.Nl;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The per-pod steps of a bridge network: a veth pair whose host end is a port of the network's bridge and whose
 * other end is born in the sandbox under its final name, then the sandbox side (MAC, lo up, addresses, link up,
 * routes). Every step is idempotent ({@code ensure…}, replace, reap-if-present), so a retried ADD after a crash
 * converges, and a failed attach removes what it made before it throws. The bridge itself, its gateways and the
 * port membership are the {@link NodeBridge}'s desired state; this class only reaches the kernel through the
 * {@link Kernel} seam (host) and {@link Sandboxes} (pods), so it runs on FakeKernel in unit tests.
 * <p>Hot path (one ADD, about six netlink round trips): the veth is created up, enslaved, with a MAC chosen here
 * (no pre-check: EEXIST is examined only when it happens), possibly on a worker while IPAM runs
 * ({@link #startVeth}); the sandbox side runs over a handle opened inside the sandbox by a worker, which the
 * caller may start early ({@link #openSandbox}). Nothing is read back: the MACs are ours, the bridge's is pinned.
 * <p>Complicating factors: the sandbox may already hold an interface named {@code ifname} (the runtime's error,
 * reported as {@link InterfaceExistsException}, nothing removed); the host end of a crashed earlier attempt may
 * linger under the same hash name (removed, then created again); the bridge may vanish under a joined network
 * (the veth's ENODEV makes the node's dataplane apply now, and the veth is tried again); the sandbox may be gone at
 * DEL time (DEL works from the host end alone, which also never touches a sandbox interface podnet did not make).
 */
public final class BridgeNetwork {
    private static final int VETH_DEFAULT_MTU = 1500;

    private final NodeBridge node;
    private final Kernel host;
    private final Sandboxes sandboxes;

    public BridgeNetwork(NodeBridge node, Kernel host, Sandboxes sandboxes) {
        this.node = node;
        this.host = host;
        this.sandboxes = sandboxes;
    }

    public BridgeConfig config() { return node.config(); }

    public NodeBridge node() { return node; }

    /** What an attach made, for the CNI result's {@code interfaces}. */
    public record Attached(String bridge, Optional<MacAddress> bridgeMac, String hostVeth, Optional<MacAddress> hostMac,
                           String ifname, Optional<MacAddress> containerMac, int mtu) {}

    /** Thrown when the sandbox already has an interface of the requested name. */
    public static final class InterfaceExistsException extends IOException {
        private final String ifname;

        public InterfaceExistsException(String ifname, String sandbox) {
            super("interface " + ifname + " already exists in network namespace " + sandbox);
            this.ifname = ifname;
        }

        public String ifname() { return ifname; }
    }

    /**
     * A kernel view inside a sandbox, being opened on a worker; {@link #close()} releases it whether or not it was
     * used. Not thread-safe: one attach at a time.
     */
    public static final class Sandbox implements AutoCloseable {
        private final NetNs ns;
        private final Future<Kernel> pending;
        private final Sandboxes owner;
        private Kernel kernel;

        Sandbox(NetNs ns, Future<Kernel> pending, Sandboxes owner) {
            this.ns = ns;
            this.pending = pending;
            this.owner = owner;
        }

        public NetNs namespace() { return ns; }

        synchronized Kernel get() throws IOException {
            if (kernel == null) kernel = Namespaces.await(pending);
            return kernel;
        }

        @Override
        public void close() {
            Kernel k;
            try {
                k = get();
            } catch (IOException | RuntimeException e) {
                return; // never opened (no such namespace, ...): nothing to close
            }
            owner.release(k);
        }
    }

    /** Starts opening a kernel view inside {@code ns} (on a worker). */
    public Sandbox openSandbox(NetNs ns) {
        return new Sandbox(ns, sandboxes.open(ns), sandboxes);
    }

    /**
     * Starts creating the veth pair of an attachment whose addresses are not known yet (they only matter inside
     * the sandbox), on a worker, so the kernel's ~1-3 ms overlap the caller's IPAM; only when the network is
     * already joined (its bridge exists). Hand the result to {@link #attach}, or to {@link #abandon} if the attach
     * does not happen.
     */
    public Optional<Future<MacAddress>> startVeth(Attachment a, Sandbox sb) {
        if (!node.joined()) return Optional.empty();
        return Optional.of(sandboxes.submit(() -> {
            MacAddress mac = MacAddress.random(ThreadLocalRandom.current());
            createVeth(a, sb, mac, false); // no leftover removal and no repair: attach retries those itself
            return mac;
        }));
    }

    /** Undoes a {@link #startVeth} whose attach never came: waits for it, deletes the pair if it made one. */
    public void abandon(Future<MacAddress> early, Attachment a) {
        try {
            Namespaces.await(early);
            host.reapLink(a.hostVethName());
        } catch (IOException | RuntimeException e) {
            // it made nothing (an existing interface, a vanished bridge, ...)
        }
    }

    /** {@link #attach(Attachment, Sandbox, Optional, Steps)} with a sandbox opened here and no early veth. */
    public Attached attach(Attachment a) throws IOException {
        try (Sandbox sb = openSandbox(a.sandbox())) {
            return attach(a, sb, Optional.empty(), new Steps());
        }
    }

    /**
     * Attaches one workload to the joined network, using a veth started by {@link #startVeth} if there is one (if
     * that failed for any reason but an existing interface, the veth is created here); whatever fails, a pair made
     * for this attachment is deleted before the exception leaves.
     */
    public Attached attach(Attachment a, Sandbox sb, Optional<Future<MacAddress>> early, Steps st) throws IOException {
        boolean made = false;
        try {
            MacAddress hostMac = early.isPresent() ? earlyVeth(early.get()) : null;
            if (hostMac == null) {
                hostMac = MacAddress.random(ThreadLocalRandom.current());
                createVeth(a, sb, hostMac, true);
            }
            made = true;
            node.portAttached(a.hostVethName());
            st.mark("veth");
            return configure(a, sb, hostMac, st);
        } catch (IOException | RuntimeException e) {
            if (made) {
                node.portDetached(a.hostVethName());
                host.reapLink(a.hostVethName());
            } else {
                early.ifPresent(f -> abandon(f, a));
            }
            throw e;
        }
    }

    /** The early veth's host MAC; null if it failed for a reason worth a second try; throws if the name is taken. */
    private static MacAddress earlyVeth(Future<MacAddress> early) throws IOException {
        try {
            return Namespaces.await(early);
        } catch (InterfaceExistsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code ip link add H address M master BR [mtu N] up type veth peer name IFNAME netns SANDBOX}. With
     * {@code recover} false (the early attempt, before IPAM has vouched that this attachment is not live
     * elsewhere) it neither removes a leftover host end nor repairs a missing bridge; it fails instead.
     */
    private void createVeth(Attachment a, Sandbox sb, MacAddress hostMac, boolean recover) throws IOException {
        LinkAttrs attrs = LinkAttrs.named(a.hostVethName()).master(config().bridge()).mac(hostMac).up();
        if (config().mtu() > 0) attrs = attrs.mtu(config().mtu());
        for (int attempt = 1; ; attempt++) {
            try {
                host.addLink(attrs, LinkKind.Veth.peerIn(a.ifname(), a.sandbox()));
                return;
            } catch (NetlinkException e) {
                if (attempt > 1) throw e;
                if (e.isExists()) {
                    if (sb.get().getLink(a.ifname()).isPresent()) throw new InterfaceExistsException(a.ifname(), a.sandbox().toString());
                    if (!recover) throw e;
                    host.reapLink(a.hostVethName()); // leftover of a crashed attempt for the same container/ifname
                } else if (e.isNotFound() && recover) {
                    node.repair(); // the bridge went away under the joined network: the node puts it back now
                } else {
                    throw e;
                }
            }
        }
    }

    private Attached configure(Attachment a, Sandbox sb, MacAddress hostMac, Steps st) throws IOException {
        if (config().hairpin()) host.setLinkHairpin(a.hostVethName(), true);
        Kernel sandbox = sb.get();
        st.mark("sandbox.open");
        MacAddress mac = a.mac().orElseGet(() -> MacAddress.random(ThreadLocalRandom.current()));
        sandbox.setLinkMac(a.ifname(), mac);
        if (config().mtu() > 0) sandbox.setLinkMtu(a.ifname(), config().mtu());
        sandbox.setLinkUp("lo");
        for (Attachment.IpConfig ip : a.ips()) {
            var flags = ip.address().family() == IpFamily.V6 ? Set.of(AddressFlag.NODAD) : Set.<AddressFlag>of();
            sandbox.replaceAddress(new Address(a.ifname(), ip.address(), null, flags));
        }
        sandbox.setLinkUp(a.ifname());
        for (Route r : sandboxRoutes(a)) sandbox.replaceRoute(r);
        st.mark("sandbox.config");
        int mtu = config().mtu() > 0 ? config().mtu() : VETH_DEFAULT_MTU;
        return new Attached(config().bridge(), node.mac(), a.hostVethName(), Optional.of(hostMac), a.ifname(), Optional.of(mac), mtu);
    }

    /** The gateway addresses (with their subnet's length) of an attachment's addresses, for the bridge. */
    public static List<Cidr> gateways(Attachment a) {
        List<Cidr> out = new ArrayList<>();
        for (Attachment.IpConfig ip : a.ips()) ip.gateway().ifPresent(g -> out.add(new Cidr(g, ip.address().length())));
        return out;
    }

    /** The routes an attachment gets: its explicit routes, plus a default route when isDefaultGateway. */
    List<Route> sandboxRoutes(Attachment a) {
        List<Route> out = new ArrayList<>();
        for (Attachment.RouteSpec r : a.routes()) {
            Optional<IpAddress> gw = r.gateway().or(() -> gatewayFor(a, r.dst().family()));
            out.add(gw.isPresent() ? Route.via(r.dst(), gw.get(), a.ifname()) : Route.device(r.dst(), a.ifname()));
        }
        if (config().isDefaultGateway()) {
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
     * Detaches a workload by deleting the host end of its veth pair (the kernel removes the sandbox end with it);
     * succeeds when things are already gone (no sandbox, no interface, repeated calls). Never touches a sandbox
     * interface podnet did not create. Equivalent to {@code ip link del pnvXXXXXXXXXXX}, returning once both ends
     * are unlisted while the kernel finishes freeing them in the background.
     */
    public void detach(Attachment a, Steps st) throws IOException {
        node.portDetached(a.hostVethName());
        host.reapLink(a.hostVethName());
        st.mark("veth.del");
    }

    public void detach(Attachment a) throws IOException {
        detach(a, new Steps());
    }

    /** Verifies an attachment; returns what is wrong (empty when healthy). */
    public List<String> check(Attachment a) throws IOException {
        List<String> problems = new ArrayList<>();
        Optional<Link> br = host.getLink(config().bridge());
        if (br.isEmpty()) problems.add("bridge " + config().bridge() + " is missing");
        Optional<Link> hostLink = host.getLink(a.hostVethName());
        if (hostLink.isEmpty()) {
            problems.add("host veth " + a.hostVethName() + " is missing");
        } else if (br.isPresent() && !hostLink.get().masterIndex().equals(OptionalInt.of(br.get().index()))) {
            problems.add("host veth " + a.hostVethName() + " is not attached to bridge " + config().bridge());
        }
        if (!sandboxes.exists(a.sandbox())) {
            problems.add("sandbox " + a.sandbox() + " does not exist");
            return problems;
        }
        try (Sandbox sb = openSandbox(a.sandbox())) {
            Kernel sandbox = sb.get();
            if (sandbox.getLink(a.ifname()).isEmpty()) {
                problems.add("interface " + a.ifname() + " is missing in " + a.sandbox());
                return problems;
            }
            List<Cidr> have = sandbox.listAddresses(a.ifname()).stream().map(Address::cidr).toList();
            for (Attachment.IpConfig ip : a.ips()) {
                if (!have.contains(ip.address())) problems.add("address " + ip.address() + " is missing on " + a.ifname());
            }
            List<Route> routes = sandbox.listRoutes(Nl.RT_TABLE_MAIN);
            for (Route want : sandboxRoutes(a)) {
                boolean found = routes.stream().anyMatch(r -> r.dst().equals(want.dst()) && r.gateway().equals(want.gateway()));
                if (!found) problems.add("route " + want.dst() + want.gateway().map(g -> " via " + g).orElse("") + " is missing");
            }
        }
        return problems;
    }
}
