package io.podnet.policy.kernel;

/** Calico mode: pods on their own host veths, policy dispatched by interface in the inet forward and input hooks. */
class RoutedPolicyNetnsIT extends PolicySemanticsNetnsBase {
    @Override
    PolicyLab.Wiring wiring() { return PolicyLab.Wiring.ROUTED; }
}
