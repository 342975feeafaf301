/**
 * Immutable network value types: {@link io.podnet.net.IpAddress}, {@link io.podnet.net.IpPrefix} (a masked
 * network), {@link io.podnet.net.Cidr} (an address with a prefix length, host bits allowed),
 * {@link io.podnet.net.IpRange} and {@link io.podnet.net.MacAddress}. No I/O, no name resolution.
 */
package io.podnet.net;
