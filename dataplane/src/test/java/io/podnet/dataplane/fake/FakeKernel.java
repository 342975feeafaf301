package io.podnet.dataplane.fake;

import io.podnet.dataplane.FdbTable;
import io.podnet.dataplane.Kernel;
import io.podnet.dataplane.nft.NftObserved;
import io.podnet.dataplane.nft.NftRuleset;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.NetlinkException;
import io.podnet.rtnetlink.OperState;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.RouteScope;
import io.podnet.rtnetlink.RouteType;
import io.podnet.rtnetlink.message.Nl;
import io.podnet.rtnetlink.Errno;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A simulated kernel (Calico's {@code mocknetlink}): links, routes, neighbours, FDB entries and addresses held
 * in memory, with the kernel behaviours the tables depend on — routes and neighbours through a missing device
 * fail ENODEV, deletes of absent objects fail "not found", IPv6 routes get metric 1024 and IPv6 blackholes
 * are reported on {@code lo}, device routes get scope link, removing a link drops everything on it (and its
 * per-device sysctls, and its veth peer, wherever that lives), a vxlan FDB {@code append} on an existing unicast
 * MAC keeps the old remote. One FakeKernel is one namespace; several belong to a {@link FakeNetwork} so a veth can
 * have its peer born in a sandbox. Sysctls: global keys exist with value {@code 0} unless set, per-device keys
 * ({@code net/ipv4/conf/DEV/...}) exist while DEV does. nft: the last applied ruleset, reported back as
 * {@link NftRuleset#observed()}.
 * <pre>{@code
 * var k = new FakeKernel();
 * k.createLink("flannel.1", LinkKind.Vxlan.of(1, 8472));
 * k.failNext(Kernel.Op.ROUTE_REPLACE, Errno.EBUSY);   // the next route replace fails once
 * ... k.calls(Kernel.Op.ROUTE_REPLACE) ... k.journal() ...
 * }</pre>
 * Test-setup methods ({@link #createLink}, {@link #removeLink}, {@link #updateLink}, {@link #routes()}, ...)
 * are not counted, not journaled and never fail. Thread-safe.
 */
public final class FakeKernel implements Kernel {
    private record RouteId(int table, IpPrefix dst, int metric) {}

    private record NeighId(String dev, IpAddress ip) {}

    private record AddrId(String dev, Cidr cidr) {}

    private final Map<String, Link> links = new LinkedHashMap<>();
    private final Map<RouteId, Route> routes = new LinkedHashMap<>();
    private final Map<NeighId, Neighbor> neighbors = new LinkedHashMap<>();
    private final List<FdbEntry> fdb = new ArrayList<>();
    private final Map<AddrId, Address> addresses = new LinkedHashMap<>();
    private final Map<String, String> sysctls = new HashMap<>();
    private final Set<String> hairpin = new HashSet<>();
    private final Map<String, Peer> peers = new HashMap<>();
    private NftRuleset nft; // null: no table
    private final List<io.podnet.dataplane.ForwardRule> forward = new ArrayList<>(); // podnet's FORWARD rules, in order
    private final NetNs ns;
    private final FakeNetwork network;

    /** The other end of a veth: its kernel and name. */
    private record Peer(FakeKernel kernel, String name) {}
    private final Map<Op, ArrayDeque<Errno>> failures = new EnumMap<>(Op.class);
    private final Map<Op, Integer> calls = new EnumMap<>(Op.class);
    private final List<String> journal = new ArrayList<>();
    private int nextIndex = 1;

    /** A kernel with only {@code lo}, alone (veth peers must stay in it). */
    public FakeKernel() {
        this(NetNs.at(java.nio.file.Path.of("/fake/host")), null);
    }

    /** A kernel with only {@code lo}, namespace {@code ns} of {@code network}. */
    FakeKernel(NetNs ns, FakeNetwork network) {
        this.ns = ns;
        this.network = network;
        createLink("lo", new LinkKind.Device());
    }

    @Override
    public NetNs namespace() { return ns; }

    // ---- test set-up and inspection (not counted, never fail) ------------------------------------------

    /** Creates an up link out of band (like {@code ip link add NAME type KIND; ip link set NAME up}). */
    public synchronized Link createLink(String name, LinkKind kind) {
        if (links.containsKey(name)) throw new IllegalStateException("link exists: " + name);
        Link l = new Link(nextIndex, name, kind, 1500, Optional.of(new MacAddress(0x0a0000000000L + nextIndex)),
                Nl.IFF_UP | Nl.IFF_LOWER_UP, OperState.UP, OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
        nextIndex++;
        links.put(name, l);
        return l;
    }

    /** Replaces a link's record (e.g. to set it down or change its MTU out of band). */
    public synchronized void updateLink(Link l) {
        if (!links.containsKey(l.name())) throw new IllegalStateException("no link " + l.name());
        links.put(l.name(), l);
    }

    public synchronized List<Link> links() { return List.copyOf(links.values()); }

    /** Deletes a link out of band and, as the kernel does, every route, neighbour, FDB entry and address on it. */
    public void removeLink(String name) {
        Peer peer;
        synchronized (this) {
            if (links.remove(name) == null) throw new IllegalStateException("no link " + name);
            routes.values().removeIf(r -> r.dev().equals(Optional.of(name)));
            neighbors.values().removeIf(n -> n.dev().equals(name));
            fdb.removeIf(e -> e.dev().equals(name));
            addresses.values().removeIf(a -> a.dev().equals(name));
            sysctls.keySet().removeIf(k -> k.contains("/conf/" + name + "/"));
            hairpin.remove(name);
            peer = peers.remove(name);
        }
        detachPortsOf(name);
        if (peer != null) peer.kernel().dropPeer(peer.name());
    }

    private synchronized void dropPeer(String name) {
        if (links.containsKey(name)) {
            peers.remove(name);
            removeLink(name);
        }
    }

    /** A deleted bridge releases its ports (they stay, without a master), as the kernel does. */
    private synchronized void detachPortsOf(String bridge) {
        // the bridge is gone: any link whose master index no longer names a link loses its master
        for (Link l : List.copyOf(links.values())) {
            if (l.masterIndex().isPresent() && links.values().stream().noneMatch(m -> m.index() == l.masterIndex().getAsInt())) {
                links.put(l.name(), new Link(l.index(), l.name(), l.kind(), l.mtu(), l.mac(), l.flags(), l.operState(),
                        OptionalInt.empty(), l.parentIndex(), l.linkNetnsId()));
            }
        }
    }

    /** Sets a sysctl out of band ({@code sysctl -w}, e.g. someone turning forwarding off). */
    public synchronized void setSysctlOutOfBand(String key, String value) { sysctls.put(key, value); }

    /** A sysctl's current value, as {@link #readSysctl} would report it. */
    public synchronized Optional<String> sysctl(String key) { return sysctlValue(key); }

    /** True when hairpin mode is on for port {@code name}. */
    public synchronized boolean hairpin(String name) { return hairpin.contains(name); }

    /** The nft table as last applied, if it exists. */
    public synchronized Optional<NftRuleset> nftRuleset() { return Optional.ofNullable(nft); }

    /** {@code nft delete table inet podnet} out of band. */
    public synchronized void deleteNftTable() { nft = null; }

    /** podnet's rules in the filter FORWARD chain, in chain order. */
    public synchronized List<io.podnet.dataplane.ForwardRule> forwardRules() { return List.copyOf(forward); }

    /** {@code iptables -F FORWARD} out of band (e.g. a firewall reload). */
    public synchronized void flushForward() { forward.clear(); }

    /** The namespace network this kernel belongs to, if any. */
    public Optional<FakeNetwork> network() { return Optional.ofNullable(network); }

    /** The next call of {@code op} fails with {@code errno} (queued: call twice to fail twice). */
    public synchronized void failNext(Op op, Errno errno) {
        failures.computeIfAbsent(op, k -> new ArrayDeque<>()).add(errno);
    }

    /** How many times {@code op} was called (including injected failures). */
    public synchronized int calls(Op op) { return calls.getOrDefault(op, 0); }

    /** Total calls of every mutating operation. */
    public synchronized int writes() {
        return calls.entrySet().stream().filter(e -> !e.getKey().name().endsWith("_LIST") && e.getKey() != Op.LINK_GET && e.getKey() != Op.SYSCTL_READ)
                .mapToInt(Map.Entry::getValue).sum();
    }

    public synchronized void resetCalls() {
        calls.clear();
        journal.clear();
    }

    /** Every mutating call in order, e.g. {@code ROUTE_REPLACE 10.244.2.0/24}. */
    public synchronized List<String> journal() { return List.copyOf(journal); }

    public synchronized List<Route> routes() { return List.copyOf(routes.values()); }

    public synchronized List<Neighbor> neighbors() { return List.copyOf(neighbors.values()); }

    public synchronized List<FdbEntry> fdbEntries() { return List.copyOf(fdb); }

    public synchronized List<Address> addresses() { return List.copyOf(addresses.values()); }

    // ---- Kernel ---------------------------------------------------------------------------------------

    private void enter(Op op, String detail) throws NetlinkException {
        calls.merge(op, 1, Integer::sum);
        if (detail != null) journal.add(op + " " + detail);
        ArrayDeque<Errno> q = failures.get(op);
        Errno e = q == null ? null : q.poll();
        if (e != null) throw new NetlinkException(e, Optional.of("injected by FakeKernel"), op.name().toLowerCase());
    }

    private void requireDev(Optional<String> dev, String op) throws NetlinkException {
        if (dev.isPresent() && !links.containsKey(dev.get())) {
            throw new NetlinkException(Errno.ENODEV, Optional.of("no link named " + dev.get()), op);
        }
    }

    private static NetlinkException notFound(Errno errno, String op) {
        return new NetlinkException(errno, Optional.empty(), op);
    }

    @Override
    public synchronized Optional<Link> getLink(String name) throws NetlinkException {
        enter(Op.LINK_GET, null);
        return Optional.ofNullable(links.get(name));
    }

    @Override
    public synchronized List<Link> listLinks() throws NetlinkException {
        enter(Op.LINK_LIST, null);
        return List.copyOf(links.values());
    }

    @Override
    public void addLink(LinkAttrs attrs, LinkKind kind) throws NetlinkException {
        FakeKernel peerKernel = null;
        if (kind instanceof LinkKind.Veth v) {
            peerKernel = v.peerNamespace().isEmpty() ? this : network == null ? null : network.kernelIfPresent(v.peerNamespace().get());
            if (peerKernel == null) throw new NetlinkException(Errno.ENOENT, Optional.of("no namespace " + v.peerNamespace()), "link add " + attrs.name());
        }
        synchronized (this) {
            addLinkLocked(attrs, kind);
        }
        if (kind instanceof LinkKind.Veth v) {
            try {
                peerKernel.createPeer(v.peerName(), this, attrs.name());
            } catch (NetlinkException e) {
                synchronized (this) {
                    links.remove(attrs.name());
                }
                throw e;
            }
            synchronized (this) {
                peers.put(attrs.name(), new Peer(peerKernel, v.peerName()));
            }
        }
    }

    private synchronized void createPeer(String name, FakeKernel other, String otherName) throws NetlinkException {
        if (links.containsKey(name)) throw new NetlinkException(Errno.EEXIST, Optional.of("peer " + name + " exists"), "link add");
        Link l = createLink(name, LinkKind.Veth.peer(""));
        links.put(name, new Link(l.index(), name, l.kind(), l.mtu(), l.mac(), 0, OperState.DOWN, OptionalInt.empty(),
                OptionalInt.empty(), OptionalInt.empty()));
        peers.put(name, new Peer(other, otherName));
    }

    private void addLinkLocked(LinkAttrs attrs, LinkKind kind) throws NetlinkException {
        enter(Op.LINK_ADD, attrs.name() + " " + kind.kindName());
        if (links.containsKey(attrs.name())) throw new NetlinkException(Errno.EEXIST, Optional.empty(), "link add " + attrs.name());
        if (kind instanceof LinkKind.Vxlan x) requireDev(x.device(), "link add " + attrs.name());
        requireDev(attrs.master(), "link add " + attrs.name());
        Link l = createLink(attrs.name(), kind);
        int flags = attrs.adminUp() ? Nl.IFF_UP | Nl.IFF_LOWER_UP : 0;
        OptionalInt master = attrs.master().isPresent() ? OptionalInt.of(links.get(attrs.master().get()).index()) : OptionalInt.empty();
        links.put(l.name(), new Link(l.index(), l.name(), kind, attrs.mtu().orElse(1500), attrs.mac().or(l::mac), flags,
                attrs.adminUp() ? OperState.UP : OperState.DOWN, master, OptionalInt.empty(), OptionalInt.empty()));
    }

    @Override
    public void deleteLink(String name) throws NetlinkException {
        synchronized (this) {
            enter(Op.LINK_DELETE, name);
            if (!links.containsKey(name)) throw notFound(Errno.ENODEV, "link del " + name);
        }
        removeLink(name);
    }

    @Override
    public boolean reapLink(String name) throws NetlinkException {
        synchronized (this) {
            enter(Op.LINK_DELETE, name);
            if (!links.containsKey(name)) return false;
        }
        removeLink(name);
        return true;
    }

    @Override
    public synchronized void setLinkHairpin(String name, boolean on) throws NetlinkException {
        enter(Op.LINK_SET, name + " hairpin " + (on ? "on" : "off"));
        Link l = existing(name, "link set " + name + " hairpin");
        if (l.masterIndex().isEmpty()) throw new NetlinkException(Errno.EOPNOTSUPP, Optional.of("not a bridge port"), "link set " + name + " hairpin");
        if (on) hairpin.add(name);
        else hairpin.remove(name);
    }

    private Optional<String> sysctlValue(String key) {
        String[] parts = key.split("/");
        boolean perDevice = parts.length >= 5 && parts[0].equals("net") && parts[2].equals("conf")
                && !parts[3].equals("all") && !parts[3].equals("default");
        if (perDevice && !links.containsKey(parts[3])) return Optional.empty();
        String v = sysctls.get(key);
        if (v != null) return Optional.of(v);
        return Optional.of(key.endsWith("/accept_ra") || key.endsWith("/accept_dad") ? "1" : "0");
    }

    @Override
    public synchronized Optional<String> readSysctl(String key) throws NetlinkException {
        enter(Op.SYSCTL_READ, null);
        return sysctlValue(key);
    }

    @Override
    public synchronized void writeSysctl(String key, String value) throws java.io.IOException {
        enter(Op.SYSCTL_WRITE, key + "=" + value);
        if (sysctlValue(key).isEmpty()) throw new NoSuchFileException("/proc/sys/" + key);
        sysctls.put(key, value);
    }

    @Override
    public synchronized Optional<NftObserved> listNft(String family, String table) throws NetlinkException {
        enter(Op.NFT_LIST, null);
        return nft == null ? Optional.empty() : Optional.of(nft.observed());
    }

    @Override
    public synchronized void applyNft(NftRuleset ruleset) throws NetlinkException {
        enter(Op.NFT_APPLY, ruleset.chains().size() + " chains");
        nft = ruleset.isEmpty() ? null : ruleset;
    }

    @Override
    public synchronized Optional<Set<io.podnet.dataplane.ForwardRule>> listForwardRules(IpFamily family) throws NetlinkException {
        enter(Op.FORWARD_LIST, null);
        return Optional.of(forward.stream().filter(r -> r.prefix().family() == family).collect(java.util.stream.Collectors.toSet()));
    }

    @Override
    public synchronized void addForwardRule(io.podnet.dataplane.ForwardRule rule) throws NetlinkException {
        enter(Op.FORWARD_ADD, String.join(" ", rule.args()));
        forward.add(rule);
    }

    @Override
    public synchronized void deleteForwardRule(io.podnet.dataplane.ForwardRule rule) throws NetlinkException {
        enter(Op.FORWARD_DELETE, String.join(" ", rule.args()));
        forward.remove(rule);
    }

    private Link existing(String name, String op) throws NetlinkException {
        Link l = links.get(name);
        if (l == null) throw notFound(Errno.ENODEV, op);
        return l;
    }

    @Override
    public synchronized void setLinkUp(String name) throws NetlinkException {
        enter(Op.LINK_SET, name + " up");
        Link l = existing(name, "link set " + name + " up");
        links.put(name, new Link(l.index(), name, l.kind(), l.mtu(), l.mac(), l.flags() | Nl.IFF_UP | Nl.IFF_LOWER_UP,
                OperState.UP, l.masterIndex(), l.parentIndex(), l.linkNetnsId()));
    }

    @Override
    public synchronized void setLinkMtu(String name, int mtu) throws NetlinkException {
        enter(Op.LINK_SET, name + " mtu " + mtu);
        Link l = existing(name, "link set " + name + " mtu");
        links.put(name, new Link(l.index(), name, l.kind(), mtu, l.mac(), l.flags(), l.operState(), l.masterIndex(),
                l.parentIndex(), l.linkNetnsId()));
    }

    @Override
    public synchronized void setLinkMac(String name, MacAddress mac) throws NetlinkException {
        enter(Op.LINK_SET, name + " address " + mac);
        Link l = existing(name, "link set " + name + " address");
        links.put(name, new Link(l.index(), name, l.kind(), l.mtu(), Optional.of(mac), l.flags(), l.operState(),
                l.masterIndex(), l.parentIndex(), l.linkNetnsId()));
    }

    @Override
    public synchronized void setLinkMaster(String name, String master) throws NetlinkException {
        enter(Op.LINK_SET, name + " master " + master);
        Link l = existing(name, "link set " + name + " master");
        Link m = existing(master, "link set " + name + " master " + master);
        links.put(name, new Link(l.index(), name, l.kind(), l.mtu(), l.mac(), l.flags(), l.operState(),
                OptionalInt.of(m.index()), l.parentIndex(), l.linkNetnsId()));
    }

    @Override
    public synchronized List<Route> listRoutes(int table) throws NetlinkException {
        enter(Op.ROUTE_LIST, null);
        return routes.values().stream().filter(r -> r.table() == table).toList();
    }

    @Override
    public synchronized void replaceRoute(Route route) throws NetlinkException {
        enter(Op.ROUTE_REPLACE, route.dst().toString());
        Route k = kernelView(route);
        if (k.type() == RouteType.UNICAST) requireDev(route.dev(), "route replace " + route.dst());
        routes.put(idOf(k), k);
    }

    @Override
    public synchronized void deleteRoute(Route route) throws NetlinkException {
        enter(Op.ROUTE_DELETE, route.dst().toString());
        Route k = kernelView(route);
        Route have = routes.get(idOf(k));
        boolean protocolMatches = have != null && (route.protocol().equals(RouteProtocol.BOOT)
                || route.protocol().equals(RouteProtocol.UNSPEC) || route.protocol().equals(have.protocol()));
        if (!protocolMatches) throw notFound(Errno.ESRCH, "route del " + route.dst());
        routes.remove(idOf(k));
    }

    /** What the kernel would report for {@code r}: its defaults filled in. */
    private static Route kernelView(Route r) {
        boolean v6 = r.family() == IpFamily.V6;
        boolean unicast = r.type() == RouteType.UNICAST;
        RouteScope scope = v6 ? RouteScope.UNIVERSE
                : unicast && r.gateway().isEmpty() && r.scope() == RouteScope.UNIVERSE ? RouteScope.LINK : r.scope();
        OptionalInt metric = r.metric();
        if (v6 && (metric.isEmpty() || metric.getAsInt() == 0)) metric = OptionalInt.of(1024);
        if (!v6 && metric.isPresent() && metric.getAsInt() == 0) metric = OptionalInt.empty();
        Optional<String> dev = unicast || r.type() == RouteType.LOCAL ? r.dev() : v6 ? Optional.of("lo") : Optional.empty();
        return new Route(r.dst(), r.gateway(), dev, scope, r.table(), r.protocol(), r.type(), r.src(), metric, r.mtu(), r.onlink());
    }

    private static RouteId idOf(Route k) {
        return new RouteId(k.table(), k.dst(), k.metric().orElse(0));
    }

    @Override
    public synchronized List<Neighbor> listNeighbors(String dev) throws NetlinkException {
        enter(Op.NEIGH_LIST, null);
        return neighbors.values().stream().filter(n -> n.dev().equals(dev)).toList();
    }

    @Override
    public synchronized void replaceNeighbor(Neighbor n) throws NetlinkException {
        enter(Op.NEIGH_REPLACE, n.ip() + " dev " + n.dev());
        requireDev(Optional.of(n.dev()), "neigh replace " + n.ip());
        neighbors.put(new NeighId(n.dev(), n.ip()), n);
    }

    @Override
    public synchronized void deleteNeighbor(Neighbor n) throws NetlinkException {
        enter(Op.NEIGH_DELETE, n.ip() + " dev " + n.dev());
        if (neighbors.remove(new NeighId(n.dev(), n.ip())) == null) throw notFound(Errno.ENOENT, "neigh del " + n.ip());
    }

    @Override
    public synchronized List<FdbEntry> listFdb(String dev) throws NetlinkException {
        enter(Op.FDB_LIST, null);
        return fdb.stream().filter(e -> e.dev().equals(dev)).toList();
    }

    private List<FdbEntry> sameMac(String dev, MacAddress mac) {
        return fdb.stream().filter(e -> e.dev().equals(dev) && e.mac().equals(mac)).toList();
    }

    @Override
    public synchronized void appendFdb(FdbEntry e) throws NetlinkException {
        enter(Op.FDB_APPEND, e.mac() + " dst " + e.dst().map(Object::toString).orElse("-"));
        requireDev(Optional.of(e.dev()), "fdb append " + e.mac());
        List<FdbEntry> same = sameMac(e.dev(), e.mac());
        if (same.isEmpty()) fdb.add(e);
        else if (FdbTable.isFloodMac(e.mac()) && same.stream().noneMatch(x -> x.dst().equals(e.dst()))) fdb.add(e);
        // unicast MAC that already has a remote: the kernel keeps the old remote and reports success
    }

    @Override
    public synchronized void replaceFdb(FdbEntry e) throws NetlinkException {
        enter(Op.FDB_REPLACE, e.mac() + " dst " + e.dst().map(Object::toString).orElse("-"));
        requireDev(Optional.of(e.dev()), "fdb replace " + e.mac());
        List<FdbEntry> same = sameMac(e.dev(), e.mac());
        if (!same.isEmpty() && FdbTable.isFloodMac(e.mac())) {
            throw new NetlinkException(Errno.EOPNOTSUPP, Optional.empty(), "fdb replace " + e.mac());
        }
        fdb.removeAll(same);
        fdb.add(e);
    }

    @Override
    public synchronized void deleteFdb(FdbEntry e) throws NetlinkException {
        enter(Op.FDB_DELETE, e.mac() + " dst " + e.dst().map(Object::toString).orElse("-"));
        boolean removed = fdb.removeIf(x -> x.dev().equals(e.dev()) && x.mac().equals(e.mac())
                && (e.dst().isEmpty() || x.dst().equals(e.dst())));
        if (!removed) throw notFound(Errno.ENOENT, "fdb del " + e.mac());
    }

    @Override
    public synchronized List<Address> listAddresses(String dev) throws NetlinkException {
        enter(Op.ADDR_LIST, null);
        return addresses.values().stream().filter(a -> a.dev().equals(dev)).toList();
    }

    @Override
    public synchronized void replaceAddress(Address a) throws NetlinkException {
        enter(Op.ADDR_REPLACE, a.cidr() + " dev " + a.dev());
        requireDev(Optional.of(a.dev()), "addr replace " + a.cidr());
        addresses.put(new AddrId(a.dev(), a.cidr()), a);
    }

    @Override
    public synchronized void deleteAddress(Address a) throws NetlinkException {
        enter(Op.ADDR_DELETE, a.cidr() + " dev " + a.dev());
        if (addresses.remove(new AddrId(a.dev(), a.cidr())) == null) throw notFound(Errno.EADDRNOTAVAIL, "addr del " + a.cidr());
    }
}
