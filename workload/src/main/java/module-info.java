/**
 * Attach and detach one workload: veth, addresses and routes inside the sandbox (idempotent ensure-steps through
 * the dataplane's Kernel seam), and each network's shared node state (bridge, gateways, sysctls, masquerade,
 * ports; routed mode's host routes) as desired state in the NodeDataplane.
 */
module io.podnet.workload {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    requires transitive io.podnet.dataplane;
    requires com.fasterxml.jackson.databind;
    exports io.podnet.workload.bridge;
    exports io.podnet.workload.routed;
    opens io.podnet.workload.bridge to com.fasterxml.jackson.databind;
}
