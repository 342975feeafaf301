package io.podnet.rtnetlink;

import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import java.util.Optional;

/**
 * A bridge forwarding-database entry ({@code bridge fdb}). On a vxlan device, {@code dst} is the remote VTEP
 * and the entry is on the device itself ({@code self}); on a bridge port it is in the bridge ({@code master}).
 */
public record FdbEntry(String dev, MacAddress mac, Optional<IpAddress> dst, boolean self, NeighborState state) {

    public FdbEntry {
        if (dev == null || dev.isEmpty()) throw new IllegalArgumentException("FDB entry needs a device");
        if (mac == null) throw new IllegalArgumentException("FDB entry needs a MAC");
        if (dst == null) dst = Optional.empty();
        if (state == null) state = NeighborState.PERMANENT;
    }

    /** {@code bridge fdb append MAC dev VXLAN dst IP self permanent}. */
    public static FdbEntry vxlan(String dev, MacAddress mac, IpAddress dst) {
        return new FdbEntry(dev, mac, Optional.of(dst), true, NeighborState.PERMANENT);
    }
}
