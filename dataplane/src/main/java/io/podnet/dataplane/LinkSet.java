package io.podnet.dataplane;

import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.NetlinkException;
import io.podnet.rtnetlink.Errno;
import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Devices podnet creates itself, as desired state: flannel's {@code flannel.1} vxlan device, a TUN device for
 * the udp backend, a bridge. {@link #setLink} says what a device should be; {@link #apply()} creates it,
 * fixes its MTU, MAC, master and admin state in place, or deletes and recreates it when its kind parameters
 * (e.g. the VNI or local address of a vxlan) differ. Owned: the desired names, names removed but not yet seen
 * gone, plus links whose name starts with one of the owned prefixes (a resync deletes those when undesired).
 * Several producers may want links (the overlay {@code flannel.1}, each CNI network its bridge); a name wanted
 * by two producers (two networks on one bridge) stays until both have removed it.
 * <pre>{@code
 * var links = new LinkSet(kernel, clock, List.of());
 * links.setLink(LinkAttrs.named("flannel.1").mtu(1450).mac(vtepMac).up(),
 *         LinkKind.Vxlan.of(1, 8472).withLocal(publicIp).withDevice("eth0"));
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>Kind parameters cannot be changed in place (the kernel refuses a VNI or port change), so a mismatch
 *     means delete and add: every neighbour, FDB entry, address and route on the device goes with it. The
 *     tables holding those see the link events ({@link Reconciler#interfaceChanged}) and re-program them.</li>
 * <li>Only what the desired spec states is compared: an unset MTU, MAC or master is left as the kernel has
 *     it, and {@code adminUp=false} leaves the admin state alone (it never takes a link down).</li>
 * <li>Veth pairs span namespaces and belong to the workload plumbing; they, plain devices and unknown kinds
 *     are refused.</li>
 * <li>A name that stops being desired is deleted on the next apply; after a restart only prefix-owned
 *     leftovers are found, so give podnet-created devices an owned prefix when they may be renamed.</li>
 * </ul>
 */
public final class LinkSet extends TrackedTable<String, LinkSet.Spec> {

    /** What a device should be: its generic attributes and its kind. */
    public record Spec(LinkAttrs attrs, LinkKind kind) {
        public Spec {
            if (attrs == null || kind == null) throw new IllegalArgumentException("a link spec needs attributes and a kind");
        }
    }

    private final List<String> ownedPrefixes;
    /** Names no producer wants any more that may still exist: owned until a listing no longer shows them. */
    private final java.util.Set<String> retiring = new java.util.HashSet<>(); // guarded by the table lock

    public LinkSet(Kernel kernel, InstantSource clock, List<String> ownedPrefixes) {
        super(kernel, clock, new DeltaTracker<>(LinkSet::satisfies));
        this.ownedPrefixes = List.copyOf(ownedPrefixes);
    }

    @Override
    public String name() { return "links" + ownedPrefixes; }

    @Override
    public Stage stage() { return Stage.LINKS; }

    /** Wants a link named {@code attrs.name()} of {@code kind} (the single-producer form). */
    public void setLink(LinkAttrs attrs, LinkKind kind) {
        setLink(DEFAULT_OWNER, attrs, kind);
    }

    /** {@code owner} wants a link named {@code attrs.name()} of {@code kind}. */
    public void setLink(String owner, LinkAttrs attrs, LinkKind kind) {
        switch (kind) {
            case LinkKind.Veth _, LinkKind.Device _, LinkKind.Other _ ->
                    throw new IllegalArgumentException("a LinkSet cannot own a " + kind.getClass().getSimpleName() + " link");
            case LinkKind.Bridge _, LinkKind.Dummy _, LinkKind.Vxlan _, LinkKind.Tuntap _, LinkKind.Macvlan _, LinkKind.Ipip _ -> { }
        }
        update(t -> {
            retiring.remove(attrs.name());
            desireLocked(t, owner, attrs.name(), new Spec(attrs, kind));
        });
    }

    /** No longer wants the link; the next apply deletes it (when no other producer wants it). */
    public void removeLink(String name) {
        removeLink(DEFAULT_OWNER, name);
    }

    /**
     * {@code owner} no longer wants link {@code name}: once nobody does, the next apply deletes it. This also works
     * for a name this process never wanted (a bridge of a network that emptied while the agent was down): the name
     * stays owned until a listing shows it gone.
     */
    public void removeLink(String owner, String name) {
        update(t -> {
            undesireLocked(t, owner, name);
            if (t.desired(name).isEmpty()) retiring.add(name);
        });
    }

    /**
     * {@code owner} no longer wants link {@code name}, which is not podnet's to delete (a bridge that existed
     * before podnet used it): once nobody wants it, the table forgets it and leaves it as it is.
     */
    public void releaseLink(String owner, String name) {
        update(t -> {
            undesireLocked(t, owner, name);
            if (t.desired(name).isEmpty()) {
                retiring.remove(name);
                t.deleteDataplane(name);
            }
        });
    }

    public Optional<Spec> desiredLink(String name) {
        return withTracker(t -> t.desired(name));
    }

    /** A link event on an owned name (someone deleted or changed flannel.1) re-reads the links. */
    @Override
    public void interfaceChanged(String dev) {
        if (owns(dev, withTracker(DeltaTracker::desiredView))) queueResync();
    }

    private boolean owns(String name, Map<String, Spec> desired) {
        if (desired.containsKey(name) || withTracker(t -> retiring.contains(name))) return true;
        for (String p : ownedPrefixes) if (name.startsWith(p)) return true;
        return false;
    }

    @Override
    protected Map<String, Spec> listOwned() throws IOException {
        Map<String, Spec> desired = withTracker(DeltaTracker::desiredView);
        List<Link> all = kernel.listLinks();
        Map<Integer, String> names = new HashMap<>();
        for (Link l : all) names.put(l.index(), l.name());
        Map<String, Spec> out = new HashMap<>();
        java.util.Set<String> present = new java.util.HashSet<>();
        for (Link l : all) present.add(l.name());
        withTracker(t -> retiring.retainAll(present)); // gone: no longer ours to delete (a later link of that name is not)
        for (Link l : all) {
            if (!owns(l.name(), desired)) continue;
            LinkAttrs a = new LinkAttrs(l.name(), OptionalInt.of(l.mtu()), l.mac(),
                    l.masterIndex().isPresent() ? Optional.ofNullable(names.get(l.masterIndex().getAsInt())) : Optional.empty(), l.isUp());
            out.put(l.name(), new Spec(a, l.kind()));
        }
        return out;
    }

    @Override
    protected void program(String name, Spec want) throws IOException {
        Optional<Link> have = kernel.getLink(name);
        if (have.isPresent() && !kindMatches(want.kind(), have.get().kind())) {
            kernel.deleteLink(name);
            have = Optional.empty();
        }
        if (have.isEmpty()) {
            kernel.addLink(want.attrs(), want.kind());
            return;
        }
        Link l = have.get();
        LinkAttrs a = want.attrs();
        if (a.mtu().isPresent() && a.mtu().getAsInt() != l.mtu()) kernel.setLinkMtu(name, a.mtu().getAsInt());
        if (a.mac().isPresent() && !a.mac().equals(l.mac())) kernel.setLinkMac(name, a.mac().get());
        if (a.master().isPresent()) {
            int master = kernel.ifindex(a.master().get()).orElseThrow(() -> new NetlinkException(Errno.ENODEV,
                    Optional.of("no link named " + a.master().get()), "link set " + name + " master"));
            if (l.masterIndex().isEmpty() || l.masterIndex().getAsInt() != master) kernel.setLinkMaster(name, a.master().get());
        }
        if (a.adminUp() && !l.isUp()) kernel.setLinkUp(name);
    }

    @Override
    protected void unprogram(String name, Spec observed) throws IOException {
        kernel.deleteLink(name);
    }

    @Override
    protected String describe(String name, Spec value) {
        return "link " + name + " (" + value.kind().kindName() + ")";
    }

    /** True when the device {@code have} already is what {@code want} asks for (unset fields do not matter). */
    static boolean satisfies(Spec want, Spec have) {
        LinkAttrs w = want.attrs();
        LinkAttrs h = have.attrs();
        return kindMatches(want.kind(), have.kind())
                && (w.mtu().isEmpty() || w.mtu().equals(h.mtu()))
                && (w.mac().isEmpty() || w.mac().equals(h.mac()))
                && (w.master().isEmpty() || w.master().equals(h.master()))
                && (!w.adminUp() || h.adminUp());
    }

    /** Kind and the kind parameters the spec sets; a listed vxlan always has its VNI, port and learning flag. */
    static boolean kindMatches(LinkKind want, LinkKind have) {
        return switch (want) {
            case LinkKind.Vxlan w -> have instanceof LinkKind.Vxlan h && w.vni() == h.vni() && w.port() == h.port()
                    && w.learning() == h.learning() && optionalMatches(w.local(), h.local())
                    && optionalMatches(w.device(), h.device()) && (w.ttl().isEmpty() || w.ttl().equals(h.ttl()));
            case LinkKind.Bridge _ -> have instanceof LinkKind.Bridge;
            case LinkKind.Dummy _ -> have instanceof LinkKind.Dummy;
            case LinkKind.Tuntap w -> have instanceof LinkKind.Tuntap h && h.mode() == w.mode();
            case LinkKind.Macvlan w -> have instanceof LinkKind.Macvlan h && h.mode() == w.mode() && h.parent().equals(w.parent());
            case LinkKind.Ipip w -> have instanceof LinkKind.Ipip h && optionalMatches(w.local(), h.local())
                    && optionalMatches(w.remote(), h.remote()) && optionalMatches(w.device(), h.device());
            case LinkKind.Veth _, LinkKind.Device _, LinkKind.Other _ -> false;
        };
    }

    private static <T> boolean optionalMatches(Optional<T> want, Optional<T> have) {
        return want.isEmpty() || want.equals(have);
    }
}
