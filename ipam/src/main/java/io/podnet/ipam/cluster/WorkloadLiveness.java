package io.podnet.ipam.cluster;

import io.podnet.calico.ResourceStore;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.net.IpAddress;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whether a live workload on this node holds an allocation: the GC's oracle. {@link #snapshot()} is taken once per
 * pass and again right before a release (the re-check), so a workload that appeared meanwhile is never released.
 */
@FunctionalInterface
public interface WorkloadLiveness {
    /** What is live now. */
    View snapshot() throws IOException;

    /** One look at the live workloads. */
    @FunctionalInterface
    interface View {
        boolean holds(String handleId, IpAddress ip, Map<String, String> attributes);
    }

    /** Live = some WorkloadEndpoint lists the address (calicoctl's view of "in use"). */
    static WorkloadLiveness endpoints(ResourceStore resources) {
        return () -> {
            Set<IpAddress> used = new HashSet<>();
            for (WorkloadEndpoint w : resources.list(WorkloadEndpoint.KIND)) {
                for (String net : w.spec().ipNetworks()) used.add(IpAddress.parse(net.contains("/") ? net.substring(0, net.indexOf('/')) : net));
            }
            return (handle, ip, attrs) -> used.contains(ip);
        };
    }

    /** Both must hold (e.g. an endpoint exists and the container's network namespace is still there). */
    default WorkloadLiveness and(WorkloadLiveness other) {
        return () -> {
            View a = snapshot();
            View b = other.snapshot();
            return (h, ip, attrs) -> a.holds(h, ip, attrs) && b.holds(h, ip, attrs);
        };
    }
}
