package io.podnet.policy.kernel;

/**
 * Bridge (and overlay) mode without br_netfilter: every pod on one bridge, ports isolated, the node routing
 * pod-to-pod traffic (proxy_arp_pvlan), policy dispatched by address in the inet hooks. All pod-to-pod probes
 * here are between two pods of the same bridge.
 */
class BridgedPolicyNetnsIT extends PolicySemanticsNetnsBase {
    @Override
    PolicyLab.Wiring wiring() { return PolicyLab.Wiring.BRIDGED; }
}
