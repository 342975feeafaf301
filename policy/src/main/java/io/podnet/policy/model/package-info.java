/**
 * The policy resources as values: what a user writes ({@link io.podnet.policy.model.K8sNetworkPolicy},
 * {@link io.podnet.policy.model.CalicoPolicy} for Calico's namespaced {@code NetworkPolicy} and its
 * {@code GlobalNetworkPolicy}, {@link io.podnet.policy.model.GlobalNetworkSet}) and what the cluster knows
 * ({@link io.podnet.policy.model.Namespace}, {@link io.podnet.policy.model.WorkloadEndpoint}). Records validate
 * their invariants in compact constructors ({@code IllegalArgumentException}); user input is validated with
 * field-named errors by {@link io.podnet.policy.codec.ResourceDecoder} ({@link
 * io.podnet.policy.model.InvalidResourceException}).
 */
package io.podnet.policy.model;
