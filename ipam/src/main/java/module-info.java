/**
 * IP address management: host-local compatible range configuration, the crash-safe local allocation store
 * (one file per IP, host-local's on-disk format) with an in-memory owner index, GC, and the podnet-ipam CNI handler;
 * Calico-style cluster IPAM (pools, block affinities, handles in the datastore) and its podnet-calico-ipam handler.
 */
module io.podnet.ipam {
    requires transitive io.podnet.net;
    requires transitive io.podnet.cni;
    requires com.fasterxml.jackson.databind;
    requires transitive io.podnet.datastore;
    requires transitive io.podnet.calico;
    exports io.podnet.ipam;
    exports io.podnet.ipam.cluster;
    opens io.podnet.ipam.cluster to com.fasterxml.jackson.databind;
    exports io.podnet.ipam.store;
    exports io.podnet.ipam.cni;
}
