package io.podnet.rtnetlink;

/**
 * A change in one namespace's kernel state, from its rtnetlink multicast groups ({@code ip monitor}): links,
 * addresses, routes, neighbours and FDB entries. {@link Lost} says the kernel dropped events (the socket's
 * buffer overflowed) or one could not be decoded: a listener that must not miss a change re-reads what it cares about.
 */
public sealed interface KernelEvent permits LinkEvent, KernelEvent.AddressChanged, KernelEvent.RouteChanged,
        KernelEvent.NeighborChanged, KernelEvent.Lost {

    /** RTM_NEWADDR / RTM_DELADDR. */
    record AddressChanged(Address address, boolean removed) implements KernelEvent {}

    /** RTM_NEWROUTE / RTM_DELROUTE (device names resolved; cloned cache entries are not reported). */
    record RouteChanged(Route route, boolean removed) implements KernelEvent {}

    /** RTM_NEWNEIGH / RTM_DELNEIGH on {@code dev}: an ARP/NDP entry, or an FDB entry when {@code fdb}. */
    record NeighborChanged(String dev, boolean fdb, boolean removed) implements KernelEvent {}

    /** Events were lost (ENOBUFS) or named a device the subscription did not know: re-read the state. */
    record Lost(String why) implements KernelEvent {}
}
