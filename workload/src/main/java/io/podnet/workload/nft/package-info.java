/** podnet's own nftables table ({@code table inet podnet}), rendered whole and applied atomically with {@code nft -f}. */
package io.podnet.workload.nft;
