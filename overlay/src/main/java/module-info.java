/** Flannel-style overlay: subnet leases in the datastore and the vxlan, host-gw and udp backends. */
module io.podnet.overlay {
    requires transitive io.podnet.net;
    requires transitive io.podnet.rtnetlink;
    requires io.podnet.dataplane;
    requires transitive io.podnet.datastore;
    requires com.fasterxml.jackson.databind;
    exports io.podnet.overlay.subnet;
    exports io.podnet.overlay.backend;
    exports io.podnet.overlay.udp;
}
