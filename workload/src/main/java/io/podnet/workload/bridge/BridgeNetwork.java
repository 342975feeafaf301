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
import io.podnet.rtnetlink.LinkReaper;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.NetlinkException;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.workload.ns.NetnsThreads;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Attaches and detaches workloads on one bridge network. Every step is idempotent ({@code ensure…},
 * replace, deleteIfPresent), so a retried ADD after a crash converges, and a failed attach removes what it
 * made before it throws.
 * <p>Hot path (one ADD, about seven netlink round trips): the bridge is ensured once and then cached (re-ensured
 * every {@link #REVALIDATE} or when the veth cannot find it); the veth pair is created up, enslaved, with a MAC
 * chosen here, its peer born in the sandbox under its final name (no pre-check: EEXIST is examined only when it
 * happens); the sandbox side (MAC, lo up, addresses, link up, routes) runs over a netlink socket opened inside
 * the sandbox by a reusable {@link NetnsThreads} worker, which the caller may start early ({@link #openSandbox})
 * so it overlaps IPAM. Nothing is read back: the MACs are ours, the bridge's is pinned.
 * <p>Complicating factors: the sandbox may already hold an interface named {@code ifname} (the runtime's
 * error, reported as {@link InterfaceExistsException}, nothing removed); the host end of a crashed earlier
 * attempt may linger under the same hash name (removed, then created again); the bridge may vanish under the
 * cache (re-ensured once); the sandbox may be gone at DEL time (DEL works from the host end alone, which also
 * never touches a sandbox interface that podnet did not make). Host sysctls are written through
 * {@link NetnsThreads} (or {@link NetNs#run}) in the host handle's namespace, never on the calling thread.
 */
public final class BridgeNetwork {
    /** How long an ensured bridge is trusted before the next ADD re-ensures it. */
    public static final Duration REVALIDATE = Duration.ofSeconds(10);
    private static final int VETH_DEFAULT_MTU = 1500;

    private final Rtnetlink host;
    private final BridgeConfig config;
    private final NetnsThreads threads;
    private final InstantSource clock;
    private final LinkReaper reaper;
    private final ReentrantLock bridgeLock = new ReentrantLock();
    private volatile Ensured ensured;

    /** The bridge as last ensured: its link (index, pinned MAC), the gateways on it, and when. */
    private record Ensured(Link bridge, Set<Cidr> gateways, Instant at) {}

    /** Without worker threads: each sandbox gets a fresh platform thread ({@link Rtnetlink#open}); no caching of threads. */
    public BridgeNetwork(Rtnetlink host, BridgeConfig config) {
        this(host, config, null, InstantSource.system());
    }

    public BridgeNetwork(Rtnetlink host, BridgeConfig config, NetnsThreads threads) {
        this(host, config, threads, InstantSource.system());
    }

    /** With a {@link LinkReaper} in the host namespace: DEL returns when the veth is unlisted, not when it is freed. */
    public BridgeNetwork(Rtnetlink host, BridgeConfig config, NetnsThreads threads, LinkReaper reaper) {
        this(host, config, threads, InstantSource.system(), reaper);
    }

    public BridgeNetwork(Rtnetlink host, BridgeConfig config, NetnsThreads threads, InstantSource clock) {
        this(host, config, threads, clock, null);
    }

    /**
     * @param threads workers for sandbox sockets and host sysctls, or null for a fresh platform thread each time
     * @param clock for the bridge cache's {@link #REVALIDATE}
     * @param reaper deletes host veth ends (returning once unlisted), or null to delete on the host handle
     */
    public BridgeNetwork(Rtnetlink host, BridgeConfig config, NetnsThreads threads, InstantSource clock, LinkReaper reaper) {
        if (reaper != null && !reaper.namespace().equals(host.namespace())) {
            throw new IllegalArgumentException("reaper works in " + reaper.namespace() + ", not the host's " + host.namespace());
        }
        this.host = host;
        this.config = config;
        this.threads = threads;
        this.clock = clock;
        this.reaper = reaper;
    }

    /** Deletes a host veth end (and so its pair); true if it existed. */
    private boolean deleteHostEnd(String name) throws IOException {
        return reaper != null ? reaper.delete(name) : host.links().deleteIfPresent(name);
    }

    public BridgeConfig config() { return config; }

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
     * A netlink handle inside a sandbox, being opened on a worker; {@link #close()} closes it whether or not
     * it was used. Not thread-safe: one attach at a time.
     */
    public static final class Sandbox implements AutoCloseable {
        private final NetNs ns;
        private final Future<Rtnetlink> pending;
        private final NetnsThreads closer;
        private Rtnetlink handle;

        private Sandbox(NetNs ns, Future<Rtnetlink> pending, NetnsThreads closer) {
            this.ns = ns;
            this.pending = pending;
            this.closer = closer;
        }

        public NetNs namespace() { return ns; }

        synchronized Rtnetlink get() throws IOException {
            if (handle == null) handle = NetnsThreads.await(pending);
            return handle;
        }

        /** Closes the handle (on a worker, off the caller's path, when there are workers). */
        @Override
        public void close() {
            Rtnetlink h;
            try {
                h = get();
            } catch (IOException | RuntimeException e) {
                return; // never opened (no such namespace, ...): nothing to close
            }
            if (closer != null) closer.closeLater(h);
            else h.close();
        }
    }

    /** Starts opening a netlink socket inside {@code ns} (on a worker when there are workers). */
    public Sandbox openSandbox(NetNs ns) {
        if (threads != null) return new Sandbox(ns, threads.openHandle(ns), threads);
        CompletableFuture<Rtnetlink> f = new CompletableFuture<>();
        try {
            f.complete(Rtnetlink.open(ns));
        } catch (IOException | RuntimeException e) {
            f.completeExceptionally(e);
        }
        return new Sandbox(ns, f, null);
    }

    /**
     * Creates the bridge if missing, puts the gateway addresses on it when {@code isGateway}, pins its MAC (so it
     * stops following the lowest port's), brings it up. Equivalent to {@code ip link add BR type bridge;
     * ip addr replace GW/LEN dev BR; ip link set BR address <its own>; ip link set BR up}.
     */
    public Link ensureBridge(List<Cidr> gateways) throws IOException {
        bridgeLock.lock();
        try {
            Optional<Link> existing = host.links().get(config.bridge());
            if (existing.isPresent() && !(existing.get().kind() instanceof LinkKind.Bridge)) {
                throw new IOException("link " + config.bridge() + " exists and is not a bridge (" + existing.get().kind().kindName() + ")");
            }
            if (existing.isEmpty()) createBridge();
            if (config.isGateway()) {
                for (Cidr gw : gateways) {
                    host.addresses().replace(new Address(config.bridge(), gw, null,
                            gw.family() == IpFamily.V6 ? Set.of(AddressFlag.NODAD) : Set.of()));
                    hostSysctl(gw.family() == IpFamily.V4 ? "net/ipv4/ip_forward" : "net/ipv6/conf/all/forwarding", "1");
                }
            }
            host.links().setUp(config.bridge());
            Link br = host.links().get(config.bridge()).orElseThrow(() -> new IOException("bridge " + config.bridge() + " vanished"));
            if (config.isGateway() && br.mac().isPresent()) host.links().setMac(config.bridge(), br.mac().get());
            Set<Cidr> all = new HashSet<>(gateways);
            Ensured before = ensured;
            if (before != null && before.bridge().index() == br.index()) all.addAll(before.gateways());
            ensured = new Ensured(br, Set.copyOf(all), clock.instant());
            return br;
        } finally {
            bridgeLock.unlock();
        }
    }

    private void createBridge() throws IOException {
        LinkAttrs attrs = LinkAttrs.named(config.bridge());
        if (config.mtu() > 0) attrs = attrs.mtu(config.mtu());
        try {
            host.links().add(attrs, new LinkKind.Bridge());
        } catch (NetlinkException e) {
            if (!e.isExists()) throw e;
        }
        hostSysctl("net/ipv6/conf/" + config.bridge() + "/accept_ra", "0");
    }

    /**
     * The bridge from the cache when it holds {@code gateways} and is fresh; else {@link #ensureBridge} — by one
     * thread: while it revalidates an expired entry the others keep using that entry, and threads that had to
     * wait find the fresh one it left (no stampede of re-ensures when the entry expires under 32 parallel ADDs).
     */
    private Link bridgeFor(List<Cidr> gateways) throws IOException {
        Ensured e = ensured;
        if (fresh(e, gateways)) return e.bridge();
        boolean covered = e != null && e.gateways().containsAll(gateways);
        if (covered) {
            if (!bridgeLock.tryLock()) return e.bridge(); // being revalidated right now
        } else {
            bridgeLock.lock();
        }
        try {
            e = ensured;
            return fresh(e, gateways) ? e.bridge() : ensureBridge(gateways);
        } finally {
            bridgeLock.unlock();
        }
    }

    private boolean fresh(Ensured e, List<Cidr> gateways) {
        return e != null && e.gateways().containsAll(gateways) && clock.instant().isBefore(e.at().plus(REVALIDATE));
    }

    private void hostSysctl(String key, String value) throws IOException {
        if (threads != null) {
            threads.ensureSysctl(host.namespace(), key, value);
            return;
        }
        java.nio.file.Path p = java.nio.file.Path.of("/proc/sys", key);
        host.namespace().run(() -> { // a fresh platform thread that enters the host namespace explicitly
            if (!java.nio.file.Files.readString(p).strip().equals(value)) java.nio.file.Files.writeString(p, value);
            return null;
        });
    }

    /** Attaches one workload; on failure removes the veth it created and rethrows. */
    public Attached attach(Attachment a) throws IOException {
        return attach(a, new Steps());
    }

    /** {@link #attach(Attachment)}, recording where the time went in {@code st}. */
    public Attached attach(Attachment a, Steps st) throws IOException {
        try (Sandbox sb = openSandbox(a.sandbox())) {
            return attach(a, sb, st);
        }
    }

    /** {@link #attach(Attachment)} with a sandbox handle the caller opened early (and closes). */
    public Attached attach(Attachment a, Sandbox sb, Steps st) throws IOException {
        return attach(a, sb, Optional.empty(), st);
    }

    /**
     * Starts creating the veth pair of an attachment whose addresses are not known yet (they only matter inside
     * the sandbox), on a worker, so the kernel's ~1-3 ms overlap the caller's IPAM; only when the bridge is
     * already ensured and there are workers. Hand the result to {@link #attach(Attachment, Sandbox, Optional, Steps)},
     * or to {@link #abandon} if the attach does not happen.
     */
    public Optional<Future<MacAddress>> startVeth(Attachment a, Sandbox sb) {
        if (threads == null || ensured == null) return Optional.empty();
        return Optional.of(threads.submit(threads.home(), () -> {
            MacAddress mac = MacAddress.random(ThreadLocalRandom.current());
            createVeth(a, sb, mac, null); // no bridge re-ensure, no leftover removal: attach retries those itself
            return mac;
        }));
    }

    /** Undoes a {@link #startVeth} whose attach never came: waits for it, deletes the pair if it made one. */
    public void abandon(Future<MacAddress> early, Attachment a) {
        try {
            NetnsThreads.await(early);
            deleteHostEnd(a.hostVethName());
        } catch (IOException | RuntimeException e) {
            // it made nothing (an existing interface, a vanished bridge, ...)
        }
    }

    /**
     * {@link #attach(Attachment, Sandbox, Steps)} using a veth started by {@link #startVeth}: if that failed for
     * any reason but an existing interface, the veth is created here; whatever fails, a pair made for this
     * attachment is deleted before the exception leaves.
     */
    public Attached attach(Attachment a, Sandbox sb, Optional<Future<MacAddress>> early, Steps st) throws IOException {
        List<Cidr> gateways = new ArrayList<>();
        for (Attachment.IpConfig ip : a.ips()) ip.gateway().ifPresent(g -> gateways.add(new Cidr(g, ip.address().length())));
        boolean made = false;
        try {
            Link bridge = bridgeFor(gateways);
            st.mark("bridge");
            MacAddress hostMac = early.isPresent() ? earlyVeth(early.get()) : null;
            if (hostMac == null) {
                hostMac = MacAddress.random(ThreadLocalRandom.current());
                createVeth(a, sb, hostMac, gateways);
            }
            made = true;
            st.mark("veth");
            return configure(a, sb, bridge, hostMac, st);
        } catch (IOException | RuntimeException e) {
            if (made) deleteHostEnd(a.hostVethName());
            else early.ifPresent(f -> abandon(f, a));
            throw e;
        }
    }

    /** The early veth's host MAC; null if it failed for a reason worth a second try; throws if the name is taken. */
    private static MacAddress earlyVeth(Future<MacAddress> early) throws IOException {
        try {
            return NetnsThreads.await(early);
        } catch (InterfaceExistsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code ip link add H address M master BR [mtu N] up type veth peer name IFNAME netns SANDBOX}. With
     * {@code gateways} null (the early attempt, before IPAM has vouched that this attachment is not live
     * elsewhere) it neither removes a leftover host end nor re-ensures the bridge; it fails instead.
     */
    private void createVeth(Attachment a, Sandbox sb, MacAddress hostMac, List<Cidr> gateways) throws IOException {
        LinkAttrs attrs = LinkAttrs.named(a.hostVethName()).master(config.bridge()).mac(hostMac).up();
        if (config.mtu() > 0) attrs = attrs.mtu(config.mtu());
        for (int attempt = 1; ; attempt++) {
            try {
                host.links().add(attrs, LinkKind.Veth.peerIn(a.ifname(), a.sandbox()));
                return;
            } catch (NetlinkException e) {
                if (attempt > 1) throw e;
                if (e.isExists()) {
                    if (sb.get().links().get(a.ifname()).isPresent()) throw new InterfaceExistsException(a.ifname(), a.sandbox().toString());
                    if (gateways == null) throw e;
                    deleteHostEnd(a.hostVethName()); // leftover of a crashed attempt for the same container/ifname
                } else if (e.isNotFound() && gateways != null) {
                    ensured = null; // the bridge went away under the cache
                    ensureBridge(gateways);
                } else {
                    throw e;
                }
            }
        }
    }

    private Attached configure(Attachment a, Sandbox sb, Link bridge, MacAddress hostMac, Steps st) throws IOException {
        if (config.hairpin()) host.links().setHairpin(a.hostVethName(), true);
        Rtnetlink sandbox = sb.get();
        st.mark("sandbox.open");
        MacAddress mac = a.mac().orElseGet(() -> MacAddress.random(ThreadLocalRandom.current()));
        sandbox.links().setMac(a.ifname(), mac);
        if (config.mtu() > 0) sandbox.links().setMtu(a.ifname(), config.mtu());
        sandbox.links().setUp("lo");
        for (Attachment.IpConfig ip : a.ips()) {
            var flags = ip.address().family() == IpFamily.V6 ? Set.of(AddressFlag.NODAD) : Set.<AddressFlag>of();
            sandbox.addresses().replace(new Address(a.ifname(), ip.address(), null, flags));
        }
        sandbox.links().setUp(a.ifname());
        for (Route r : sandboxRoutes(a)) sandbox.routes().replace(r);
        st.mark("sandbox.config");
        int mtu = config.mtu() > 0 ? config.mtu() : VETH_DEFAULT_MTU;
        return new Attached(config.bridge(), bridge.mac(), a.hostVethName(), Optional.of(hostMac), a.ifname(), Optional.of(mac), mtu);
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
     * Detaches a workload by deleting the host end of its veth pair (the kernel removes the sandbox end with it);
     * succeeds when things are already gone (no sandbox, no interface, repeated calls). Never touches a sandbox
     * interface podnet did not create. Equivalent to {@code ip link del pnvXXXXXXXXXXX}; with a {@link LinkReaper}
     * it returns once both ends are unlisted, while the kernel finishes freeing them in the background.
     */
    public void detach(Attachment a) throws IOException {
        deleteHostEnd(a.hostVethName());
    }

    /** {@link #detach(Attachment)}, recording its time in {@code st}. */
    public void detach(Attachment a, Steps st) throws IOException {
        detach(a);
        st.mark("veth.del");
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
        try (Sandbox sb = openSandbox(a.sandbox())) {
            Rtnetlink sandbox = sb.get();
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
