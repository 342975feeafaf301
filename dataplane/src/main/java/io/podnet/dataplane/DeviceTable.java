package io.podnet.dataplane;

import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The shared shape of the tables whose objects live on a device (addresses, neighbours, FDB entries): a device is
 * either <em>owned</em> by some producer — every object of the table's kind on it is podnet's, and a resync deletes
 * the undesired ones (flannel's permanent neighbours on {@code flannel.1}, the addresses on a bridge podnet made)
 * — or not, and then only the objects podnet wants on it are tracked, anything else there is left alone (a
 * gateway address on a bridge someone else made).
 *
 * @param <K> the object's identity, which names its device
 * @param <V> the object
 */
public abstract class DeviceTable<K extends DeviceTable.OnDevice, V> extends TrackedTable<K, V> {

    /** A key that says which device its object is on. */
    public interface OnDevice {
        String dev();
    }

    private final Map<String, Set<String>> owners = new HashMap<>(); // device → producers owning it; table lock

    protected DeviceTable(Kernel kernel, InstantSource clock, DeltaTracker<K, V> tracker, Set<String> ownedDevices) {
        super(kernel, clock, tracker);
        for (String d : ownedDevices) owners.computeIfAbsent(d, x -> new HashSet<>()).add(DEFAULT_OWNER);
    }

    /** Every object of this table's kind on {@code dev} is podnet's from now on (until {@link #disownDevice}). */
    public final void ownDevice(String owner, String dev) {
        boolean added = withTracker(t -> owners.computeIfAbsent(dev, x -> new HashSet<>()).add(owner));
        if (added) queueResync();
    }

    public final void disownDevice(String owner, String dev) {
        withTracker(t -> {
            Set<String> o = owners.get(dev);
            if (o != null && o.remove(owner) && o.isEmpty()) owners.remove(dev);
            return null;
        });
    }

    /** The devices some producer owns. */
    public final Set<String> devices() {
        return withTracker(t -> Set.copyOf(owners.keySet()));
    }

    /** The objects of this table's kind on {@code dev}, as the kernel reports them. */
    protected abstract Map<K, V> listDevice(String dev) throws IOException;

    @Override
    protected final Map<K, V> listOwned() throws IOException {
        Set<String> owned = devices();
        // on devices nobody owns, ours are what we want plus what we programmed (withdrawn but maybe not yet deleted)
        Set<K> known = withTracker(t -> {
            Set<K> k = new HashSet<>(t.desiredView().keySet());
            k.addAll(t.dataplaneView().keySet());
            return k;
        });
        Set<String> devs = new HashSet<>(owned);
        for (K k : known) devs.add(k.dev());
        Map<K, V> out = new HashMap<>();
        for (String dev : devs) {
            boolean all = owned.contains(dev);
            listDevice(dev).forEach((k, v) -> {
                if (all || known.contains(k)) out.put(k, v);
            });
        }
        return out;
    }

    /** An object changed on a device (see {@link TrackedTable#kernelObjectChanged}); owned: its device is owned. */
    protected final void kernelChanged(K key, V observed, boolean removed) {
        boolean owned = withTracker(t -> owners.containsKey(key.dev()));
        kernelObjectChanged(key, observed, removed, owned);
    }

    /** A link event on a device with objects of ours re-reads the table: they vanish with a deleted device. */
    @Override
    public void interfaceChanged(String dev) {
        boolean mine = withTracker(t -> owners.containsKey(dev) || t.desiredView().keySet().stream().anyMatch(k -> k.dev().equals(dev)));
        if (mine) queueResync();
    }
}
