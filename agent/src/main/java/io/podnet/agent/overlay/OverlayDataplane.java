package io.podnet.agent.overlay;

import io.podnet.dataplane.ApplyReport;
import io.podnet.dataplane.ExecutorScheduler;
import io.podnet.dataplane.FdbTable;
import io.podnet.dataplane.NeighborTable;
import io.podnet.dataplane.Reconciler;
import io.podnet.dataplane.ReconcilerConfig;
import io.podnet.dataplane.RouteTable;
import io.podnet.dataplane.RouteTableConfig;
import io.podnet.dataplane.RtnetlinkKernel;
import io.podnet.net.IpPrefix;
import io.podnet.overlay.backend.OverlayPlan;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.Rtnetlink;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Set;

/**
 * Hands an {@link OverlayPlan} to the dataplane tables (desired → diff → apply), which the one reconcile
 * loop programs in order: neighbours and FDB first, routes last, so the kernel never ARPs for a remote VTEP.
 * <p>Ownership: routes in the main table carrying {@link RouteProtocol#PODNET}; permanent neighbours and FDB
 * entries on the overlay device only. A periodic resync (about a minute) repairs out-of-band edits.
 * <p>Complicating factors: host-gw has no overlay device (only routes are owned, no neighbour or FDB table);
 * a plan that drops a remote node must remove exactly its entries, so the previous plan is diffed against the
 * new one. The loop thread starts only after the first plan is in the tables: a restarted agent must not
 * reconcile the kernel against an empty desired state (that would delete every route until the first plan).
 */
public final class OverlayDataplane implements AutoCloseable {
    private final RouteTable routes;
    private final NeighborTable neighbors; // null for host-gw
    private final FdbTable fdb;            // null for host-gw
    private boolean started;
    private final Reconciler loop;
    private OverlayPlan last = new OverlayPlan(java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.Map.of(),
            java.util.List.of());

    public OverlayDataplane(Rtnetlink host, String device) {
        var kernel = new RtnetlinkKernel(host);
        InstantSource clock = InstantSource.system();
        routes = new RouteTable(kernel, clock, RouteTableConfig.main().withProtocol(RouteProtocol.PODNET));
        neighbors = device.isEmpty() ? null : new NeighborTable(kernel, clock, Set.of(device));
        fdb = device.isEmpty() ? null : new FdbTable(kernel, clock, Set.of(device));
        loop = new Reconciler(clock, new ExecutorScheduler("podnet-reconcile"), ReconcilerConfig.DEFAULT);
        if (neighbors != null) loop.register(neighbors);
        if (fdb != null) loop.register(fdb);
        loop.register(routes);
    }

    /** Sets the desired state to {@code plan}, applies it now, and returns what the apply reported. */
    public synchronized ApplyReport apply(OverlayPlan plan) {
        Set<IpPrefix> keepRoutes = new HashSet<>();
        plan.routes().forEach(r -> keepRoutes.add(r.dst()));
        for (Route r : last.routes()) if (!keepRoutes.contains(r.dst())) routes.removeRoute(r.dst());
        if (neighbors != null) {
            Set<Neighbor> keepNeigh = new HashSet<>(plan.neighbors());
            for (Neighbor n : last.neighbors()) if (!keepNeigh.contains(n)) neighbors.removeNeighbor(n.dev(), n.ip());
            for (Neighbor n : plan.neighbors()) neighbors.setNeighbor(n.dev(), n.ip(), n.mac().orElseThrow());
        }
        if (fdb != null) {
            Set<FdbEntry> keepFdb = new HashSet<>(plan.fdb());
            for (FdbEntry e : last.fdb()) if (!keepFdb.contains(e)) fdb.removeEntry(e.dev(), e.mac(), e.dst().orElseThrow());
            for (FdbEntry e : plan.fdb()) fdb.setEntry(e.dev(), e.mac(), e.dst().orElseThrow());
        }
        for (Route r : plan.routes()) routes.setRoute(r);
        last = plan;
        ApplyReport report = loop.applyNow();
        if (!started) {
            loop.start();
            started = true;
        }
        return report;
    }

    public boolean isInSync() { return loop.isInSync(); }

    @Override
    public void close() {
        loop.close();
    }
}
