package io.podnet.overlay.backend;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import java.util.List;
import java.util.Map;

/**
 * Desired kernel state for the overlay on one node: permanent neighbours and FDB entries on the vxlan device,
 * routes (all marked with podnet's protocol), and for the udp backend the userspace table subnet → node.
 * {@code problems} lists remote nodes that could not be programmed and why (e.g. host-gw across L3).
 */
public record OverlayPlan(List<Neighbor> neighbors, List<FdbEntry> fdb, List<Route> routes, Map<IpPrefix, IpAddress> udpRoutes,
                          List<String> problems) {
    public OverlayPlan {
        neighbors = List.copyOf(neighbors);
        fdb = List.copyOf(fdb);
        routes = List.copyOf(routes);
        udpRoutes = Map.copyOf(udpRoutes);
        problems = List.copyOf(problems);
    }
}
