package io.podnet.rtnetlink;

import io.podnet.rtnetlink.message.NlMessage;
import io.podnet.rtnetlink.message.NlMsgWriter;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A handle on one network namespace: its netlink socket is opened inside the namespace once, then used from
 * any thread (vishvananda's {@code Handle}, minus the global twin API).
 * <pre>{@code
 * try (var host = Rtnetlink.open(NetNs.current());
 *      var pod  = Rtnetlink.open(NetNs.named("pod-1"))) {
 *     host.links().add(LinkAttrs.named("veth5f2a").mtu(1450).up(), LinkKind.Veth.peerIn("eth0", pod.namespace()));
 *     pod.addresses().replace(Address.of("eth0", "10.244.1.5/24"));
 * }
 * }</pre>
 */
public final class Rtnetlink implements AutoCloseable {
    private final NetNs ns;
    private final NetlinkSocket socket;
    private final Links links;
    private final Addresses addresses;
    private final Routes routes;
    private final Neighbors neighbors;
    private final Fdb fdb;
    private final Sysctls sysctls;

    private Rtnetlink(NetNs ns, NetlinkSocket socket) {
        this.ns = ns;
        this.socket = socket;
        this.links = new Links(this);
        this.addresses = new Addresses(this);
        this.routes = new Routes(this);
        this.neighbors = new Neighbors(this);
        this.fdb = new Fdb(this);
        this.sysctls = new Sysctls(ns);
    }

    /** Opens a handle on {@code ns}. The socket is created inside the namespace on a platform thread. */
    public static Rtnetlink open(NetNs ns) throws IOException {
        NetlinkSocket s = ns.isCurrent() ? NetlinkSocket.open(0) : Namespaces.runIn(ns, () -> NetlinkSocket.open(0));
        return new Rtnetlink(ns, s);
    }

    public NetNs namespace() { return ns; }

    public Links links() { return links; }

    public Addresses addresses() { return addresses; }

    public Routes routes() { return routes; }

    public Neighbors neighbors() { return neighbors; }

    public Fdb fdb() { return fdb; }

    public Sysctls sysctls() { return sysctls; }

    /**
     * Subscribes to link changes in this namespace ({@code ip monitor link}). Events are delivered on a
     * dedicated platform thread until the subscription is closed.
     */
    public Subscription subscribeLinks(Consumer<? super LinkEvent> listener) throws IOException {
        return Subscription.links(ns, listener, false);
    }

    /**
     * Subscribes to the events of {@code groups} in this namespace ({@code ip monitor link address route neigh}),
     * delivered on a dedicated platform thread until the subscription is closed; devices are named (the
     * subscription lists this handle's links once to start its ifindex → name map).
     */
    public Subscription subscribe(Set<EventGroup> groups, Consumer<KernelEvent> listener) throws IOException {
        if (groups.isEmpty()) throw new IllegalArgumentException("subscribe to at least one event group");
        Map<Integer, String> names = new HashMap<>();
        if (!groups.equals(Set.of(EventGroup.LINK))) for (Link l : links().list()) names.put(l.index(), l.name());
        return Subscription.start(ns, groups, names, listener);
    }

    void execute(NlMsgWriter w, String operation) throws IOException {
        socket.execute(w::finish, operation);
    }

    List<NlMessage> dump(NlMsgWriter w, String operation) throws IOException {
        return socket.dump(w::finish, operation);
    }

    /** A request answered by one reply (e.g. RTM_GETLINK by name). */
    List<NlMessage> query(NlMsgWriter w, String operation) throws IOException {
        return socket.query(w::finish, operation);
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() { return "Rtnetlink[" + ns + "]"; }
}
