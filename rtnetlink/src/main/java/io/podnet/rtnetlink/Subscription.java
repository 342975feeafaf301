package io.podnet.rtnetlink;

import io.podnet.rtnetlink.message.AddressCodec;
import io.podnet.rtnetlink.message.LinkCodec;
import io.podnet.rtnetlink.message.NeighborCodec;
import io.podnet.rtnetlink.message.Nl;
import io.podnet.rtnetlink.message.NlMessage;
import io.podnet.rtnetlink.message.RouteCodec;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A running subscription to kernel events of one namespace ({@code ip monitor link address route neigh}). A
 * dedicated platform thread owns the socket (blocking FFM calls pin a carrier, so never a virtual thread); it polls
 * with a short receive timeout so {@link #close()} returns promptly. Listener exceptions are logged and do not end
 * the subscription, nor does an overflow of the socket's buffer ({@code ENOBUFS}: events were lost, delivered as
 * {@link KernelEvent.Lost}).
 * <p>Complicating factors: address, route and neighbour messages name devices by ifindex. The reader keeps an
 * index → name map, seeded from a link listing when the subscription starts and updated from link events (the
 * link group is joined whenever names are needed); a message naming an index it does not know yields
 * {@link KernelEvent.Lost} rather than an event without its device.
 */
public final class Subscription implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Subscription.class.getName());
    private final NetlinkSocket socket;
    private final Thread reader;
    private final Set<EventGroup> groups;
    private final Map<Integer, String> names; // reader thread only (seeded before it starts)
    private volatile boolean closed;

    private Subscription(NetlinkSocket socket, Set<EventGroup> groups, Map<Integer, String> names, Consumer<KernelEvent> listener, NetNs ns) {
        this.socket = socket;
        this.groups = Set.copyOf(groups);
        this.names = names;
        this.reader = Thread.ofPlatform().name("podnet-events-" + ns).daemon().unstarted(() -> loop(listener));
    }

    /** Link events only ({@link Rtnetlink#subscribeLinks}). */
    static Subscription links(NetNs ns, Consumer<? super LinkEvent> listener, boolean removalsOnly) throws IOException {
        return start(ns, Set.of(EventGroup.LINK), Map.of(), e -> {
            if (e instanceof LinkEvent l) listener.accept(l);
        }, removalsOnly ? new int[] {Nl.RTM_DELLINK} : new int[0]);
    }

    /**
     * @param names  the namespace's links by index now (needed unless {@code groups} is links only)
     * @param acceptOnly message types to deliver, dropped in the kernel by a socket filter otherwise (so the
     *     reader is not even woken for them); empty = all
     */
    static Subscription start(NetNs ns, Set<EventGroup> groups, Map<Integer, String> names, Consumer<KernelEvent> listener,
                              int... acceptOnly) throws IOException {
        int bits = EventGroup.bits(groups) | (groups.equals(Set.of(EventGroup.LINK)) ? 0 : Nl.RTMGRP_LINK);
        NetlinkSocket s = ns.isCurrent() ? NetlinkSocket.open(bits) : Namespaces.runIn(ns, () -> NetlinkSocket.open(bits));
        try {
            s.setReceiveTimeoutMillis(100);
            if (acceptOnly.length > 0) s.acceptOnly(acceptOnly);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        Subscription sub = new Subscription(s, groups, new HashMap<>(names), listener, ns);
        sub.reader.start();
        return sub;
    }

    private void loop(Consumer<KernelEvent> listener) {
        try {
            while (!closed) {
                List<NlMessage> batch;
                try {
                    batch = socket.receive();
                } catch (SyscallException e) {
                    if (e.errno().code() != Errno.ENOBUFS.code()) throw e;
                    // the kernel dropped events (a burst outran the 1 MiB buffer): keep listening, tell the listener
                    LOG.log(System.Logger.Level.DEBUG, "events lost (ENOBUFS)");
                    deliver(listener, new KernelEvent.Lost("ENOBUFS"));
                    continue;
                }
                if (batch == null) continue;
                for (NlMessage m : batch) {
                    KernelEvent e = decode(m);
                    if (e != null) deliver(listener, e);
                }
            }
        } catch (IOException e) {
            if (!closed) LOG.log(System.Logger.Level.WARNING, "event subscription ended: " + e.getMessage());
        } finally {
            socket.close();
        }
    }

    private static void deliver(Consumer<KernelEvent> listener, KernelEvent e) {
        try {
            listener.accept(e);
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "event listener failed: " + ex, ex);
        }
    }

    /** The event of one message, or null when it is not one the subscriber asked for. */
    private KernelEvent decode(NlMessage m) {
        return switch (m.type()) {
            case Nl.RTM_NEWLINK, Nl.RTM_DELLINK -> link(m);
            case Nl.RTM_NEWADDR, Nl.RTM_DELADDR -> {
                if (!groups.contains(EventGroup.ADDRESS)) yield null;
                Optional<AddressCodec.Raw> r = AddressCodec.decode(m);
                if (r.isEmpty()) yield null;
                String dev = names.get(r.get().index());
                yield dev == null ? new KernelEvent.Lost("address on unknown ifindex " + r.get().index())
                        : new KernelEvent.AddressChanged(Addresses.toAddress(r.get(), dev), m.type() == Nl.RTM_DELADDR);
            }
            case Nl.RTM_NEWROUTE, Nl.RTM_DELROUTE -> {
                if (!groups.contains(EventGroup.ROUTE)) yield null;
                Optional<RouteCodec.Raw> r = RouteCodec.decode(m);
                if (r.isEmpty()) yield null;
                if (r.get().oif().isPresent() && !names.containsKey(r.get().oif().getAsInt())) {
                    yield new KernelEvent.Lost("route on unknown ifindex " + r.get().oif().getAsInt());
                }
                yield new KernelEvent.RouteChanged(Routes.toRoute(r.get(), names), m.type() == Nl.RTM_DELROUTE);
            }
            case Nl.RTM_NEWNEIGH, Nl.RTM_DELNEIGH -> {
                if (!groups.contains(EventGroup.NEIGHBOR)) yield null;
                NeighborCodec.Raw r = NeighborCodec.decode(m);
                String dev = names.get(r.index());
                yield dev == null ? new KernelEvent.Lost("neighbour on unknown ifindex " + r.index())
                        : new KernelEvent.NeighborChanged(dev, r.family() == NeighborCodec.AF_BRIDGE, m.type() == Nl.RTM_DELNEIGH);
            }
            default -> null;
        };
    }

    private KernelEvent link(NlMessage m) {
        Link l = LinkCodec.decode(m, i -> Optional.empty());
        if (m.type() == Nl.RTM_DELLINK) names.remove(l.index());
        else names.put(l.index(), l.name());
        if (!groups.contains(EventGroup.LINK)) return null;
        return m.type() == Nl.RTM_DELLINK ? new LinkEvent.Removed(l) : new LinkEvent.Updated(l);
    }

    public boolean isRunning() { return reader.isAlive(); }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
