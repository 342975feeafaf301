/**
 * IPAM configuration and allocation values: host-local style ranges and range sets (canonicalised as
 * host-local does), owners (container id + interface), errors with their CNI codes, and the pure round-robin
 * candidate order.
 *
 * <pre>
 *  ipam JSON ──IpamConfig.decode──► IpamConfig(rangeSets, routes, dataDir, resolvConf)
 *                                        │
 *  Owner + requested IPs ──► LocalIpamStore.allocate ──► one IP per range set (all or nothing)
 * </pre>
 */
package io.podnet.ipam;
