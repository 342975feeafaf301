/** Flannel-style overlay: subnet leases in the datastore, the vxlan, host-gw and udp backends, the node's overlay producer. */
module io.podnet.overlay {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    requires transitive io.podnet.dataplane;
    requires transitive io.podnet.datastore;
    requires com.fasterxml.jackson.databind;
    exports io.podnet.overlay.subnet;
    exports io.podnet.overlay.backend;
    exports io.podnet.overlay.node;
    exports io.podnet.overlay.udp;
    opens io.podnet.overlay.node to com.fasterxml.jackson.databind;
}
