package io.podnet.dataplane;

import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.NeighborState;
import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * VXLAN forwarding-database entries with a remote {@code dst} on devices podnet owns (flannel's vxlan
 * backend: one entry per remote node, {@code <remote VTEP MAC> dev flannel.1 dst <remote underlay IP> self
 * permanent}; after Calico's {@code felix/vxlanfdb}).
 * <pre>{@code
 * var fdb = new FdbTable(kernel, clock, Set.of("flannel.1"));
 * fdb.setEntry("flannel.1", MacAddress.parse("0a:58:0a:f4:02:00"), IpAddress.parse("192.168.50.12"));
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>The kernel treats unicast and all-zero/multicast MACs differently: for a unicast MAC, {@code append} on
 *     an existing entry silently keeps the old remote and only {@code replace} changes it; for an all-zero or
 *     multicast MAC (head-end replication of BUM traffic), {@code replace} fails with EOPNOTSUPP and each
 *     remote is a separate {@code append}. The table therefore keys entries by (device, MAC, dst) and uses
 *     replace for unicast MACs and append for the others.</li>
 * <li>Ownership is by device and shape: on an owned device every {@code self}, {@code permanent} entry with a
 *     {@code dst} is ours; learned entries (when learning is on) are left alone.</li>
 * <li>Entries vanish with their device; call {@link #queueResync()} after recreating it.</li>
 * <li>Changing the remote of a unicast MAC is a delete of the old key (ENOENT once the replace moved it,
 *     which counts as done) and a replace of the new one; the order does not matter.</li>
 * </ul>
 */
public final class FdbTable extends DeviceTable<FdbTable.Key, FdbEntry> {

    /** Our identity of an entry: a MAC can have several remotes when it is all-zero or multicast. */
    public record Key(String dev, MacAddress mac, IpAddress dst) implements OnDevice {
        @Override
        public String toString() { return mac + " dev " + dev + " dst " + dst; }
    }

    /** A table owning the remote-dst FDB entries on {@code devices} (vxlan devices; more with {@link #ownDevice}). */
    public FdbTable(Kernel kernel, InstantSource clock, Set<String> devices) {
        super(kernel, clock, new DeltaTracker<>(), devices);
    }

    @Override
    public String name() { return "fdb"; }

    @Override
    public Stage stage() { return Stage.NEIGHBORS; }

    /** Wants {@code bridge fdb replace|append MAC dev DEV dst DST self permanent}. */
    public void setEntry(String dev, MacAddress mac, IpAddress dst) {
        setEntry(DEFAULT_OWNER, dev, mac, dst);
    }

    public void setEntry(String owner, String dev, MacAddress mac, IpAddress dst) {
        desire(owner, new Key(dev, mac, dst), FdbEntry.vxlan(dev, mac, dst));
    }

    /** No longer wants the entry (dev, mac, dst). */
    public void removeEntry(String dev, MacAddress mac, IpAddress dst) {
        removeEntry(DEFAULT_OWNER, dev, mac, dst);
    }

    public void removeEntry(String owner, String dev, MacAddress mac, IpAddress dst) {
        undesire(owner, new Key(dev, mac, dst));
    }

    /** Replaces every entry {@code owner} wants by {@code all}. */
    public void replaceEntries(String owner, java.util.Collection<FdbEntry> all) {
        Map<Key, FdbEntry> m = new HashMap<>();
        for (FdbEntry e : all) m.put(new Key(e.dev(), e.mac(), e.dst().orElseThrow()), FdbEntry.vxlan(e.dev(), e.mac(), e.dst().orElseThrow()));
        replaceOwned(owner, m);
    }

    public Optional<FdbEntry> desiredEntry(String dev, MacAddress mac, IpAddress dst) {
        return withTracker(t -> t.desired(new Key(dev, mac, dst)));
    }

    /** True for all-zero and multicast (I/G bit set) MACs, whose remotes are a list. */
    public static boolean isFloodMac(MacAddress mac) {
        return mac.value() == 0 || (mac.value() & (1L << 40)) != 0;
    }

    @Override
    protected Map<Key, FdbEntry> listDevice(String dev) throws IOException {
        Map<Key, FdbEntry> out = new HashMap<>();
        for (FdbEntry e : kernel.listFdb(dev)) {
            if (e.self() && e.state() == NeighborState.PERMANENT && e.dst().isPresent()) out.put(new Key(dev, e.mac(), e.dst().get()), e);
        }
        return out;
    }

    @Override
    protected void program(Key key, FdbEntry value) throws IOException {
        if (isFloodMac(key.mac())) kernel.appendFdb(value);
        else kernel.replaceFdb(value);
    }

    @Override
    protected void unprogram(Key key, FdbEntry observed) throws IOException {
        kernel.deleteFdb(observed);
    }

    @Override
    protected String describe(Key key, FdbEntry value) {
        return "fdb " + key;
    }
}
