package io.podnet.ipam;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.IpRange;

/**
 * One canonical host-local range: the subnet, the allocatable {@code [start, end]} inside it and the gateway
 * (never handed out). Build it with {@link IpamConfig} parsing, which applies host-local's defaults.
 */
public record AllocRange(IpPrefix subnet, IpAddress start, IpAddress end, IpAddress gateway) {
    public AllocRange {
        if (!subnet.contains(start) || !subnet.contains(end)) throw new IllegalArgumentException("range " + start + "-" + end + " outside " + subnet);
        if (start.compareTo(end) > 0) throw new IllegalArgumentException("range start " + start + " after end " + end);
        if (!subnet.contains(gateway)) throw new IllegalArgumentException("gateway " + gateway + " outside " + subnet);
    }

    public boolean contains(IpAddress a) {
        return a.family() == start.family() && a.compareTo(start) >= 0 && a.compareTo(end) <= 0;
    }

    public IpRange range() {
        return new IpRange(start, end);
    }

    public boolean overlaps(AllocRange o) {
        return start.family() == o.start.family() && start.compareTo(o.end) <= 0 && o.start.compareTo(end) <= 0;
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
