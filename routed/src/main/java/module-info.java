/**
 * Calico-style routed mode on one node (the roles of calico-node's startup, confd + BIRD, and Felix's route
 * programming): address autodetection, the Node resource's BGP fields, the embedded BGP speaker's peers and
 * exports computed from the datastore, learned routes and block blackholes as desired state in the node dataplane.
 */
module io.podnet.routed {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    requires transitive io.podnet.dataplane;
    requires transitive io.podnet.ipam;
    requires transitive io.podnet.bgp;
    requires transitive io.podnet.workload;
    requires com.fasterxml.jackson.databind;
    exports io.podnet.routed;
    opens io.podnet.routed to com.fasterxml.jackson.databind;
}
