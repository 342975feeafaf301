package io.podnet.agent.overlay;

import io.podnet.overlay.backend.OverlayPlan;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.NeighborState;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Programs an {@link OverlayPlan}: desired → diff against the kernel → apply. Idempotent (replace, then
 * delete only what is ours and not desired). Order: neighbours and FDB first, routes last, so the kernel never
 * ARPs for a remote VTEP.
 * <p>Ownership: routes carrying {@link RouteProtocol#PODNET} in the main table whose destination lies in the
 * overlay network; permanent neighbours and FDB entries on the overlay device only.
 * <p>Complicating factors: the overlay device may not exist (host-gw has none); a route whose device vanished
 * fails with ENODEV and is retried on the next apply; entries added out of band on our device are removed.
 */
public final class OverlayDataplane {
    private final Rtnetlink host;
    private final String device;
    private final io.podnet.net.IpPrefix network;

    public OverlayDataplane(Rtnetlink host, String device, io.podnet.net.IpPrefix network) {
        this.host = host;
        this.device = device;
        this.network = network;
    }

    /** Applies the plan; returns the number of changes made. */
    public synchronized int apply(OverlayPlan plan) throws IOException {
        int changes = 0;
        boolean haveDevice = !device.isEmpty() && host.links().get(device).isPresent();
        if (haveDevice) {
            changes += applyNeighbors(plan.neighbors());
            changes += applyFdb(plan.fdb());
        }
        changes += applyRoutes(plan.routes());
        return changes;
    }

    private int applyNeighbors(List<Neighbor> desired) throws IOException {
        int n = 0;
        Set<Neighbor> want = new HashSet<>(desired);
        List<Neighbor> have = host.neighbors().list(device);
        for (Neighbor d : desired) {
            if (!have.contains(d)) {
                host.neighbors().replace(d);
                n++;
            }
        }
        for (Neighbor h : have) {
            if (h.state() == NeighborState.PERMANENT && !want.contains(h)) {
                host.neighbors().deleteIfPresent(h);
                n++;
            }
        }
        return n;
    }

    private int applyFdb(List<FdbEntry> desired) throws IOException {
        int n = 0;
        Set<FdbEntry> want = new HashSet<>(desired);
        List<FdbEntry> have = host.fdb().list(device).stream().filter(e -> e.dst().isPresent()).toList();
        for (FdbEntry d : desired) {
            if (!have.contains(d)) {
                host.fdb().replace(d);
                n++;
            }
        }
        for (FdbEntry h : have) {
            if (!want.contains(h) && h.mac().value() != 0) {
                host.fdb().deleteIfPresent(h);
                n++;
            }
        }
        return n;
    }

    private int applyRoutes(List<Route> desired) throws IOException {
        int n = 0;
        List<Route> have = host.routes().list().stream()
                .filter(r -> r.protocol().equals(RouteProtocol.PODNET) && network.contains(r.dst())).toList();
        for (Route d : desired) {
            boolean present = have.stream().anyMatch(h -> same(h, d));
            if (!present) {
                host.routes().replace(d);
                n++;
            }
        }
        for (Route h : have) {
            if (desired.stream().noneMatch(d -> same(h, d))) {
                host.routes().deleteIfPresent(h);
                n++;
            }
        }
        return n;
    }

    private static boolean same(Route a, Route b) {
        return a.dst().equals(b.dst()) && a.gateway().equals(b.gateway()) && a.dev().equals(b.dev()) && a.onlink() == b.onlink();
    }
}
