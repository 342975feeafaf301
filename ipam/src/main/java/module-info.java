/**
 * IP address management: host-local compatible range configuration, the crash-safe local allocation store
 * (one file per IP, host-local's on-disk format) with an in-memory owner index, GC, and the podnet-ipam CNI handler.
 */
module io.podnet.ipam {
    requires transitive io.podnet.net;
    requires transitive io.podnet.cni;
    requires com.fasterxml.jackson.databind;
    exports io.podnet.ipam;
    exports io.podnet.ipam.store;
    exports io.podnet.ipam.cni;
}
