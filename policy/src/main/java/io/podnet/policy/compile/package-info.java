/**
 * The policy compiler: {@link io.podnet.policy.compile.PolicyInputs} (namespaces, workload endpoints, policies,
 * network sets) for one {@link io.podnet.policy.compile.NodeView} → {@link io.podnet.policy.nft.Ruleset}.
 * See {@link io.podnet.policy.compile.PolicyCompiler} for the pipeline and {@code policy/README.md} for the
 * nft layout.
 */
package io.podnet.policy.compile;
