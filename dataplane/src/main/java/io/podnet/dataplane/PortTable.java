package io.podnet.dataplane;

import io.podnet.rtnetlink.Link;
import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which bridge each pod's host-side veth belongs to: {@code ip link set pnvXXXX master cni0}. The veth itself is
 * made and deleted by the per-pod ensure-steps (it spans two namespaces); the membership is desired state, so a
 * bridge that was deleted and recreated gets its ports back, after an agent restart too.
 * <pre>{@code
 * ports.setPort("cni/pods", "pnv5f2a0c1d9e3", "cni0");    // after the ADD made the veth with master cni0
 * ports.removePort("cni/pods", "pnv5f2a0c1d9e3");        // before the DEL deletes it
 * }</pre>
 *
 * <p><b>Complicating factors.</b>
 * <ul>
 * <li>A port nobody wants is left alone (never detached): the DEL that stops wanting it deletes the veth.</li>
 * <li>A port whose veth does not exist (the pod died and its DEL has not come yet) is skipped, not failed: that is
 *     for CHECK to report, and a failing table would degrade the node's health for one pod. A link event for the
 *     veth or its bridge re-reads the ports.</li>
 * <li>The ADD creates the veth with its master already set and then reports the port
 *     {@linkplain #setPortProgrammed programmed}, so the hot path pays no extra netlink call.</li>
 * </ul>
 */
public final class PortTable extends TrackedTable<String, String> {

    public PortTable(Kernel kernel, InstantSource clock) {
        super(kernel, clock, new DeltaTracker<>());
    }

    @Override
    public String name() { return "ports"; }

    @Override
    public Stage stage() { return Stage.PORTS; }

    /** {@code owner} wants {@code port} enslaved to {@code bridge}. */
    public void setPort(String owner, String port, String bridge) {
        desire(owner, port, bridge);
    }

    /** {@link #setPort}, and the caller has just made it so (the veth was created with that master). */
    public void setPortProgrammed(String owner, String port, String bridge) {
        desire(owner, port, bridge);
        markProgrammed(port, bridge);
    }

    public void removePort(String owner, String port) {
        undesire(owner, port);
    }

    public Optional<String> desiredMaster(String port) {
        return withTracker(t -> t.desired(port));
    }

    @Override
    public void interfaceChanged(String dev) {
        boolean mine = withTracker(t -> t.desired(dev).isPresent() || t.desiredView().containsValue(dev));
        if (mine) queueResync();
    }

    @Override
    protected Map<String, String> listOwned() throws IOException {
        Map<String, String> desired = withTracker(DeltaTracker::desiredView);
        if (desired.isEmpty()) return Map.of();
        List<Link> links = kernel.listLinks();
        Map<Integer, String> names = new HashMap<>();
        for (Link l : links) names.put(l.index(), l.name());
        Map<String, String> out = new HashMap<>();
        for (Link l : links) {
            if (!desired.containsKey(l.name()) || l.masterIndex().isEmpty()) continue;
            String master = names.get(l.masterIndex().getAsInt());
            if (master != null) out.put(l.name(), master);
        }
        return out;
    }

    @Override
    protected void program(String port, String bridge) throws IOException {
        // a pod whose veth is gone (it died; its DEL will come) is the pod plumbing's business, not a table failure
        if (kernel.getLink(port).isEmpty()) return;
        kernel.setLinkMaster(port, bridge);
    }

    @Override
    protected void unprogram(String port, String observed) {
        // not wanted any more: the DEL deletes the veth itself
    }

    @Override
    protected String describe(String port, String bridge) {
        return "port " + port + " master " + bridge;
    }
}
