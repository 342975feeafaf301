package io.podnet.policy.model;

/** Every resource kind the policy module reads; {@link #key()} identifies it (kind, namespace, name). */
public sealed interface Resource permits K8sNetworkPolicy, CalicoPolicy, GlobalNetworkSet, Namespace, WorkloadEndpoint {

    ResourceKey key();
}
