/**
 * Network policy for podnet: Kubernetes {@code NetworkPolicy} and Calico {@code NetworkPolicy},
 * {@code GlobalNetworkPolicy} and {@code GlobalNetworkSet}, compiled to an nftables ruleset value with
 * incremental diffs. Pure: no I/O, no threads; the node dataplane applies what this module computes.
 */
module io.podnet.policy {
    requires transitive io.podnet.net;
    requires transitive io.podnet.selector;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    exports io.podnet.policy.model;
    exports io.podnet.policy.codec;
    exports io.podnet.policy.nft;
    exports io.podnet.policy.compile;
}
