package io.podnet.policy.compile;

import io.podnet.policy.model.Direction;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.policy.nft.Names;

/** A local endpoint with its attachment, and the names of its chains. */
record LocalEndpoint(WorkloadEndpoint endpoint, Attachment attachment) {

    String iface() {
        return endpoint.interfaceName();
    }

    /** {@code ep-<iface>-in} (traffic to the pod) or {@code ep-<iface>-out} (traffic from it). */
    String chainName(Direction d) {
        String base = "ep-" + iface();
        if (!Names.IDENTIFIER.matcher(base).matches()) base = "ep-" + Policy.hash(iface());
        return base + (d == Direction.INGRESS ? "-in" : "-out");
    }

    String describe(Direction d) {
        return (d == Direction.INGRESS ? "ingress of " : "egress of ") + endpoint.namespace() + "/" + endpoint.name() + " (" + iface() + ")";
    }
}
