/**
 * podnet as a Docker remote network driver and IPAM driver (libnetwork "remote" plugin protocol,
 * docs/remote.md and docs/ipam.md): an HTTP/1.1 + JSON server on a unix socket ({@link io.podnet.cnm.CnmServer}),
 * bridges and veth pairs in the host namespace, addresses in the crash-safe ipam store, published ports as
 * DNAT rules in podnet's nft table.
 */
package io.podnet.cnm;
