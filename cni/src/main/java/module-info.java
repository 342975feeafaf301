/**
 * CNI: spec types and versions (0.3.0-1.1.0), error codes, request parsing and validation, results and
 * their conversion, the plugin shim ({@code io.podnet.cni.plugin}, JDK-only) and the agent-side socket server.
 */
module io.podnet.cni {
    requires transitive io.podnet.net;
    requires transitive com.fasterxml.jackson.databind;
    exports io.podnet.cni;
    exports io.podnet.cni.config;
    exports io.podnet.cni.result;
    exports io.podnet.cni.plugin;
    exports io.podnet.cni.server;
}
