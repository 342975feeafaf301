/** CNI spec types and versions (0.3.0-1.1.0), error codes, the plugin shim and delegation client. */
module io.podnet.cni {
    requires transitive io.podnet.net;
}
