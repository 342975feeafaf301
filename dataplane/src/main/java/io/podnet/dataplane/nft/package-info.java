/**
 * podnet's nftables table ({@code table inet podnet}) as desired state: a typed model (chains with hooks, rules
 * built from {@link io.podnet.dataplane.nft.Match} and {@link io.podnet.dataplane.nft.Verdict} records, sets and
 * verdict maps, names from {@link io.podnet.dataplane.nft.NftName}) that producers fill per owner, rendered whole
 * and applied in one {@code nft -f} transaction by {@link io.podnet.dataplane.nft.NftTable} at stage NFT.
 * <pre>
 *   producers ──setChain/setSet(owner, …)──▶ NftTable (per-name owners) ──▶ NftRuleset ──render──▶ "add; delete; table {…}"
 *                                                 │ resync: Kernel.listNft ◀── nft -j list table (NftListing)
 *                                                 ▼ compare NftRuleset.observed() with the kernel's (hooks, rule hashes, elements)
 *                                              Kernel.applyNft ──▶ nft -f - (in the table's namespace)
 * </pre>
 */
package io.podnet.dataplane.nft;
