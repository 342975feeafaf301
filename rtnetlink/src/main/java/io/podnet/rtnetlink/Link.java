package io.podnet.rtnetlink;

import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.message.Nl;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A link as the kernel reports it ({@code ip -d link show}). {@code parentIndex} is {@code IFLA_LINK}
 * (a veth's peer, a vxlan's or macvlan's lower device); {@code linkNetnsId} is set when that peer lives in
 * another namespace.
 */
public record Link(int index, String name, LinkKind kind, int mtu, Optional<MacAddress> mac, int flags,
                   OperState operState, OptionalInt masterIndex, OptionalInt parentIndex, OptionalInt linkNetnsId) {

    /** Administratively up ({@code IFF_UP}). */
    public boolean isUp() { return (flags & Nl.IFF_UP) != 0; }

    /** Carrier present ({@code IFF_LOWER_UP}). */
    public boolean hasCarrier() { return (flags & Nl.IFF_LOWER_UP) != 0; }
}
