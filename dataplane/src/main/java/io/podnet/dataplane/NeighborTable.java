package io.podnet.dataplane;

import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.NeighborState;
import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Permanent ARP/NDP entries on devices podnet owns (flannel's vxlan backend: one entry per remote node,
 * {@code <remote subnet .0> lladdr <remote VTEP MAC> dev flannel.1 nud permanent}, so the kernel never has to
 * resolve the onlink gateway).
 * <pre>{@code
 * var neigh = new NeighborTable(kernel, clock, Set.of("flannel.1"));
 * neigh.setNeighbor("flannel.1", IpAddress.parse("10.244.2.0"), MacAddress.parse("0a:58:0a:f4:02:00"));
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>Ownership is by device and state: on an owned device every {@code PERMANENT} entry is ours and a resync
 *     deletes the undesired ones; entries the kernel learned (REACHABLE, STALE, FAILED, ...) are left alone,
 *     though setting a neighbour for the same IP replaces a learned entry.</li>
 * <li>Desired entries on a device that does not exist fail with ENODEV and are retried with backoff. When the
 *     device is deleted and recreated its entries are gone; call {@link #queueResync()} (the owner of the
 *     device knows when it recreated it) or wait for the periodic resync.</li>
 * <li>The kernel identity is (device, IP); changing the MAC is a replace of the same key.</li>
 * </ul>
 */
public final class NeighborTable extends DeviceTable<NeighborTable.Key, Neighbor> {

    /** The kernel's identity of a neighbour entry. */
    public record Key(String dev, IpAddress ip) implements OnDevice {
        @Override
        public String toString() { return ip + " dev " + dev; }
    }

    /** A table owning the permanent neighbours on {@code devices} (more with {@link #ownDevice}). */
    public NeighborTable(Kernel kernel, InstantSource clock, Set<String> devices) {
        super(kernel, clock, new DeltaTracker<>(), devices);
    }

    @Override
    public String name() { return "neigh"; }

    @Override
    public Stage stage() { return Stage.NEIGHBORS; }

    /** Wants {@code ip neigh replace IP lladdr MAC dev DEV nud permanent}. */
    public void setNeighbor(String dev, IpAddress ip, MacAddress mac) {
        setNeighbor(DEFAULT_OWNER, dev, ip, mac);
    }

    public void setNeighbor(String owner, String dev, IpAddress ip, MacAddress mac) {
        desire(owner, new Key(dev, ip), Neighbor.permanent(dev, ip, mac));
    }

    /** No longer wants the entry for {@code ip} on {@code dev}. */
    public void removeNeighbor(String dev, IpAddress ip) {
        removeNeighbor(DEFAULT_OWNER, dev, ip);
    }

    public void removeNeighbor(String owner, String dev, IpAddress ip) {
        undesire(owner, new Key(dev, ip));
    }

    /** Replaces every neighbour {@code owner} wants by {@code all}. */
    public void replaceNeighbors(String owner, java.util.Collection<Neighbor> all) {
        Map<Key, Neighbor> m = new HashMap<>();
        for (Neighbor n : all) m.put(new Key(n.dev(), n.ip()), Neighbor.permanent(n.dev(), n.ip(), n.mac().orElseThrow()));
        replaceOwned(owner, m);
    }

    public Optional<Neighbor> desiredNeighbor(String dev, IpAddress ip) {
        return withTracker(t -> t.desired(new Key(dev, ip)));
    }

    @Override
    protected Map<Key, Neighbor> listDevice(String dev) throws IOException {
        Map<Key, Neighbor> out = new HashMap<>();
        for (Neighbor n : kernel.listNeighbors(dev)) {
            if (n.state() == NeighborState.PERMANENT && n.mac().isPresent()) out.put(new Key(dev, n.ip()), n);
        }
        return out;
    }

    @Override
    protected void program(Key key, Neighbor value) throws IOException {
        kernel.replaceNeighbor(value);
    }

    @Override
    protected void unprogram(Key key, Neighbor observed) throws IOException {
        kernel.deleteNeighbor(observed);
    }

    @Override
    protected String describe(Key key, Neighbor value) {
        return "neigh " + key.ip() + value.mac().map(m -> " lladdr " + m).orElse("") + " dev " + key.dev();
    }
}
