/**
 * An nftables ruleset as a value: {@link io.podnet.policy.nft.Ruleset} → {@link io.podnet.policy.nft.Table}s
 * holding {@link io.podnet.policy.nft.NftSet}s, verdict {@link io.podnet.policy.nft.NftMap}s and
 * {@link io.podnet.policy.nft.Chain}s of {@link io.podnet.policy.nft.NftRule}s. Values compare by content, so two
 * rulesets can be diffed ({@link io.podnet.policy.nft.RulesetDiff}) into one {@code nft -f} transaction that
 * rewrites only the chains and set elements that differ.
 * <pre>
 *   Ruleset ──render()────────► "table inet t { ... }"                      (declarative; nft -f into an empty namespace)
 *      │    ──renderReplace()─► "add table; delete table; table { ... }"   (atomic full replacement)
 *      └─ RulesetDiff.between(old, new) ──render()──► "add element ...; flush chain ...; add rule ..." (one transaction)
 * </pre>
 * Pure: nothing here runs {@code nft}; the node dataplane does.
 */
package io.podnet.policy.nft;
