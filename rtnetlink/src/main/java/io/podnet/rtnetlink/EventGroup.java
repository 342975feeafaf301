package io.podnet.rtnetlink;

import io.podnet.rtnetlink.message.Nl;
import java.util.Set;

/** The rtnetlink multicast groups a {@link Subscription} can join ({@code ip monitor link|address|route|neigh}). */
public enum EventGroup {
    LINK(Nl.RTMGRP_LINK),
    ADDRESS(Nl.RTMGRP_IPV4_IFADDR | Nl.RTMGRP_IPV6_IFADDR),
    ROUTE(Nl.RTMGRP_IPV4_ROUTE | Nl.RTMGRP_IPV6_ROUTE),
    /** ARP/NDP entries and bridge/vxlan FDB entries. */
    NEIGHBOR(Nl.RTMGRP_NEIGH);

    final int bits;

    EventGroup(int bits) {
        this.bits = bits;
    }

    static int bits(Set<EventGroup> groups) {
        int b = 0;
        for (EventGroup g : groups) b |= g.bits;
        return b;
    }
}
