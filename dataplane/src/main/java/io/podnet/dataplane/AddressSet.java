package io.podnet.dataplane;

import io.podnet.net.Cidr;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Address;
import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The addresses on devices podnet owns (flannel's {@code 10.244.1.0/32} on {@code flannel.1}, a bridge's
 * gateway address, a TUN device's lease address). On an owned device every address except IPv6 link-local
 * is ours: a resync deletes the undesired ones. On a device nobody owns (a bridge podnet did not make) only the
 * addresses podnet wants are tracked.
 * <pre>{@code
 * var addrs = new AddressSet(kernel, clock, Set.of("flannel.1"));
 * addrs.setAddress(Address.of("flannel.1", "10.244.1.0/32"));
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>The kernel adds an {@code fe80::/64} address to every IPv6-capable device itself; it is never ours.</li>
 * <li>Adding an address makes the kernel add a {@code proto kernel} prefix route and a local-table route;
 *     those belong to the kernel, which is why {@link RouteTable} never owns {@code proto kernel} routes.</li>
 * <li>Addresses vanish with their device; a missing device fails ENODEV and is retried with backoff, and
 *     whoever recreates the device calls {@link #queueResync()}.</li>
 * <li>Identity is (device, address/prefix length); changing only scope or flags is a replace of the same key.</li>
 * </ul>
 */
public final class AddressSet extends DeviceTable<AddressSet.Key, Address> {

    /** The identity of an address: the device and the address with its prefix length. */
    public record Key(String dev, Cidr cidr) implements OnDevice {
        @Override
        public String toString() { return cidr + " dev " + dev; }
    }

    private static final IpPrefix LINK_LOCAL_V6 = IpPrefix.parse("fe80::/10");

    /** A table owning every address on {@code devices} (others can be owned later, {@link #ownDevice}). */
    public AddressSet(Kernel kernel, InstantSource clock, Set<String> devices) {
        super(kernel, clock, new DeltaTracker<>((want, have) -> want.scope() == have.scope()), devices);
    }

    @Override
    public String name() { return "addrs"; }

    @Override
    public Stage stage() { return Stage.ADDRESSES; }

    /** Wants {@code ip addr replace CIDR dev DEV} (the single-producer form). */
    public void setAddress(Address a) {
        setAddress(DEFAULT_OWNER, a);
    }

    /** {@code owner} wants {@code ip addr replace CIDR dev DEV}. */
    public void setAddress(String owner, Address a) {
        desire(owner, new Key(a.dev(), a.cidr()), a);
    }

    /** No longer wants {@code cidr} on {@code dev}. */
    public void removeAddress(String dev, Cidr cidr) {
        removeAddress(DEFAULT_OWNER, dev, cidr);
    }

    public void removeAddress(String owner, String dev, Cidr cidr) {
        undesire(owner, new Key(dev, cidr));
    }

    /** An address event from the namespace's monitor (see {@link DeviceTable#kernelChanged}). */
    public void kernelAddressChanged(Address a, boolean removed) {
        if (a.cidr().family() == IpFamily.V6 && LINK_LOCAL_V6.contains(a.cidr().address())) return;
        kernelChanged(new Key(a.dev(), a.cidr()), a, removed);
    }

    /** Replaces every address {@code owner} wants by {@code all} (e.g. a new lease's address replacing the old one). */
    public void replaceAddresses(String owner, java.util.Collection<Address> all) {
        Map<Key, Address> m = new HashMap<>();
        for (Address a : all) m.put(new Key(a.dev(), a.cidr()), a);
        replaceOwned(owner, m);
    }

    public List<Address> desiredAddresses() {
        return withTracker(t -> List.copyOf(t.desiredView().values()));
    }

    @Override
    protected Map<Key, Address> listDevice(String dev) throws IOException {
        Map<Key, Address> out = new HashMap<>();
        for (Address a : kernel.listAddresses(dev)) {
            if (a.cidr().family() == IpFamily.V6 && LINK_LOCAL_V6.contains(a.cidr().address())) continue;
            out.put(new Key(dev, a.cidr()), a);
        }
        return out;
    }

    @Override
    protected void program(Key key, Address value) throws IOException {
        kernel.replaceAddress(value);
    }

    @Override
    protected void unprogram(Key key, Address observed) throws IOException {
        kernel.deleteAddress(observed);
    }

    @Override
    protected String describe(Key key, Address value) {
        return "addr " + key;
    }
}
