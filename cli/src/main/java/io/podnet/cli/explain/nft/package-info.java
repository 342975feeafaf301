/**
 * An nftables evaluator over {@code nft -j list ruleset}: which base chains a packet meets at a hook, in
 * priority order, and what the rules in them (and in the chains they jump to) decide. Pure; tested on rulesets
 * captured from the kernel ({@code src/test/resources/captures/nft}).
 */
package io.podnet.cli.explain.nft;
