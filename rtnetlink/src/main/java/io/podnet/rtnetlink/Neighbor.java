package io.podnet.rtnetlink;

import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import java.util.Optional;

/** An ARP (IPv4) or NDP (IPv6) neighbour entry ({@code ip neigh}). */
public record Neighbor(String dev, IpAddress ip, Optional<MacAddress> mac, NeighborState state) {

    public Neighbor {
        if (dev == null || dev.isEmpty()) throw new IllegalArgumentException("neighbour needs a device");
        if (ip == null) throw new IllegalArgumentException("neighbour needs an IP");
        if (mac == null) mac = Optional.empty();
        if (state == null) state = NeighborState.PERMANENT;
    }

    /** {@code ip neigh replace IP lladdr MAC dev DEV nud permanent}. */
    public static Neighbor permanent(String dev, IpAddress ip, MacAddress mac) {
        return new Neighbor(dev, ip, Optional.of(mac), NeighborState.PERMANENT);
    }
}
