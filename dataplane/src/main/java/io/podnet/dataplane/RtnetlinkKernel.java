package io.podnet.dataplane;

import io.podnet.dataplane.nft.NftListing;
import io.podnet.dataplane.nft.NftObserved;
import io.podnet.dataplane.nft.NftRuleset;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.net.IpFamily;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.LinkReaper;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The real {@link Kernel}: one {@link Rtnetlink} handle, i.e. one network namespace, plus {@link Namespaces}
 * workers for what netlink does not cover ({@code /proc/sys} and {@code nft}, which must run on a thread inside
 * the namespace) and optionally a {@link LinkReaper} for veth deletions that return once the link is unregistered.
 * The handle, workers and reaper are borrowed, not owned: closing them is the caller's business.
 */
public final class RtnetlinkKernel implements Kernel {
    private static final Duration NFT_TIMEOUT = Duration.ofSeconds(30);
    private final Rtnetlink h;
    private final NetNs ns;
    private final Namespaces workers;
    private final LinkReaper reaper;

    /** Netlink only: sysctl and nft calls fail (for tables that need neither, and tests). */
    public RtnetlinkKernel(Rtnetlink handle) {
        this(handle, null, null);
    }

    /**
     * @param workers runs sysctl reads/writes and {@code nft} inside the handle's namespace (null: those fail)
     * @param reaper  deletes links in the handle's namespace (null: {@link #reapLink} deletes on the handle)
     */
    public RtnetlinkKernel(Rtnetlink handle, Namespaces workers, LinkReaper reaper) {
        this(handle, handle.namespace(), workers, reaper);
    }

    private RtnetlinkKernel(Rtnetlink handle, NetNs ns, Namespaces workers, LinkReaper reaper) {
        this.h = Objects.requireNonNull(handle, "handle");
        this.ns = ns;
        this.workers = workers;
        this.reaper = reaper;
        if (reaper != null && !reaper.namespace().equals(handle.namespace())) {
            throw new IllegalArgumentException("reaper works in " + reaper.namespace() + ", not the handle's " + handle.namespace());
        }
    }

    /** A sandbox view: {@code handle} was opened by a thread inside {@code ns} (so it believes it is "current"). */
    static RtnetlinkKernel sandbox(Rtnetlink handle, NetNs ns) {
        return new RtnetlinkKernel(handle, ns, null, null);
    }

    /** The borrowed handle (for the per-pod steps that need more than the seam offers). */
    public Rtnetlink handle() { return h; }

    @Override
    public NetNs namespace() { return ns; }

    @Override
    public void setLinkHairpin(String name, boolean on) throws IOException { h.links().setHairpin(name, on); }

    @Override
    public boolean reapLink(String name) throws IOException {
        return reaper != null ? reaper.delete(name) : h.links().deleteIfPresent(name);
    }

    private Namespaces workers(String what) throws IOException {
        if (workers == null) throw new IOException(what + ": this kernel view has no namespace workers");
        return workers;
    }

    @Override
    public Optional<String> readSysctl(String key) throws IOException {
        return workers("sysctl " + key).readSysctl(ns, key);
    }

    @Override
    public void writeSysctl(String key, String value) throws IOException {
        workers("sysctl " + key).ensureSysctl(ns, key, value);
    }

    @Override
    public Optional<NftObserved> listNft(String family, String table) throws IOException {
        Namespaces.Output o = workers("nft list").exec(ns, List.of("nft", "-j", "list", "table", family, table), "", NFT_TIMEOUT);
        if (!o.ok()) {
            if (o.out().contains("No such file or directory")) return Optional.empty();
            throw new IOException("nft -j list table " + family + " " + table + " failed: " + o.out().strip());
        }
        return Optional.of(NftListing.parse(o.out(), family, table));
    }

    @Override
    public void applyNft(NftRuleset ruleset) throws IOException {
        String script = ruleset.render();
        Namespaces.Output o = workers("nft -f").exec(ns, List.of("nft", "-f", "-"), script, NFT_TIMEOUT);
        if (!o.ok()) throw new IOException("nft -f failed: " + o.out().strip() + "\n--- script ---\n" + script);
    }

    @Override
    public Optional<java.util.Set<ForwardRule>> listForwardRules(IpFamily family) throws IOException {
        Optional<String> bin = iptables(family);
        if (bin.isEmpty()) return Optional.empty();
        Namespaces.Output o = workers("iptables -S").exec(ns, List.of(bin.get(), "-w", "5", "-S", "FORWARD"), "", NFT_TIMEOUT);
        if (!o.ok()) throw new IOException(bin.get() + " -S FORWARD failed: " + o.out().strip());
        java.util.Set<ForwardRule> out = new java.util.HashSet<>();
        o.out().lines().forEach(l -> ForwardRule.parse(l).ifPresent(out::add));
        return Optional.of(out);
    }

    @Override
    public void addForwardRule(ForwardRule rule) throws IOException {
        forwardRule("-A", rule);
    }

    @Override
    public void deleteForwardRule(ForwardRule rule) throws IOException {
        forwardRule("-D", rule);
    }

    private void forwardRule(String op, ForwardRule rule) throws IOException {
        Optional<String> bin = iptables(rule.prefix().family());
        if (bin.isEmpty()) return; // nothing can drop here (listForwardRules says so too)
        List<String> cmd = new java.util.ArrayList<>(List.of(bin.get(), "-w", "5", op, "FORWARD"));
        cmd.addAll(rule.args());
        Namespaces.Output o = workers("iptables " + op).exec(ns, cmd, "", NFT_TIMEOUT);
        if (o.ok()) return;
        // -D of a rule (or chain) that is gone: what was wanted is true already
        if (op.equals("-D") && (o.out().contains("does a matching rule exist") || o.out().contains("No chain/target/match"))) return;
        throw new IOException(String.join(" ", cmd) + " failed: " + o.out().strip());
    }

    /** The iptables (ip6tables) binary, if installed: on the PATH or in the usual sbin directories. */
    private static Optional<String> iptables(IpFamily family) {
        String name = family == IpFamily.V4 ? "iptables" : "ip6tables";
        return IPTABLES.computeIfAbsent(name, n -> {
            List<String> dirs = new java.util.ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
            dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
            return dirs.stream().filter(d -> !d.isEmpty()).map(d -> java.nio.file.Path.of(d, n))
                    .filter(java.nio.file.Files::isExecutable).map(java.nio.file.Path::toString).findFirst();
        });
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, Optional<String>> IPTABLES = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Optional<Link> getLink(String name) throws IOException { return h.links().get(name); }

    @Override
    public List<Link> listLinks() throws IOException { return h.links().list(); }

    @Override
    public void addLink(LinkAttrs attrs, LinkKind kind) throws IOException { h.links().add(attrs, kind); }

    @Override
    public void deleteLink(String name) throws IOException { h.links().delete(name); }

    @Override
    public void setLinkUp(String name) throws IOException { h.links().setUp(name); }

    @Override
    public void setLinkMtu(String name, int mtu) throws IOException { h.links().setMtu(name, mtu); }

    @Override
    public void setLinkMac(String name, MacAddress mac) throws IOException { h.links().setMac(name, mac); }

    @Override
    public void setLinkMaster(String name, String master) throws IOException { h.links().setMaster(name, master); }

    @Override
    public List<Route> listRoutes(int table) throws IOException { return h.routes().list(table); }

    @Override
    public void replaceRoute(Route route) throws IOException { h.routes().replace(route); }

    @Override
    public void deleteRoute(Route route) throws IOException { h.routes().delete(route); }

    @Override
    public List<Neighbor> listNeighbors(String dev) throws IOException { return h.neighbors().list(dev); }

    @Override
    public void replaceNeighbor(Neighbor neighbor) throws IOException { h.neighbors().replace(neighbor); }

    @Override
    public void deleteNeighbor(Neighbor neighbor) throws IOException { h.neighbors().delete(neighbor); }

    @Override
    public List<FdbEntry> listFdb(String dev) throws IOException { return h.fdb().list(dev); }

    @Override
    public void appendFdb(FdbEntry entry) throws IOException { h.fdb().append(entry); }

    @Override
    public void replaceFdb(FdbEntry entry) throws IOException { h.fdb().replace(entry); }

    @Override
    public void deleteFdb(FdbEntry entry) throws IOException { h.fdb().delete(entry); }

    @Override
    public List<Address> listAddresses(String dev) throws IOException { return h.addresses().list(dev); }

    @Override
    public void replaceAddress(Address address) throws IOException { h.addresses().replace(address); }

    @Override
    public void deleteAddress(Address address) throws IOException { h.addresses().delete(address); }

    @Override
    public String toString() { return "RtnetlinkKernel[" + ns + "]"; }
}
