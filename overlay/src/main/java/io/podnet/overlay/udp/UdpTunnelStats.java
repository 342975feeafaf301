package io.podnet.overlay.udp;

/**
 * A snapshot of a {@link UdpTunnel}'s counters. "tx" is TUN → UDP (packets this node encapsulates and sends to
 * peers), "rx" is UDP → TUN (datagrams from peers written into the TUN device). Bytes are IP packet bytes
 * (the UDP payload), without the 28 bytes of outer IPv4 + UDP header.
 *
 * @param txPackets          packets sent to a peer
 * @param txBytes            bytes of those packets
 * @param rxPackets          packets received from peers and written to the TUN device
 * @param rxBytes            bytes of those packets
 * @param dropsNoRoute       packets read from the TUN device whose destination matched no route
 * @param dropsTtlExpired    packets read from the TUN device with TTL 0 or 1
 * @param dropsMalformed     packets or datagrams that were not valid IPv4 (including IPv6 and truncated ones)
 * @param icmpUnreachableSent ICMP net-unreachable errors written back into the TUN device
 * @param sendErrors         {@code sendmmsg} failures (each costs one packet) and failed TUN reads
 * @param receiveErrors      failed {@code recvmmsg} calls and TUN writes
 * @param txBatches          {@code sendmmsg} calls that sent at least one packet ({@code txPackets / txBatches}
 *                           is the mean batch size)
 * @param rxBatches          {@code recvmmsg} calls that returned at least one datagram
 * @param tunReads           packets read from the TUN device (with offloads a read may be a TCP super-packet
 *                           of up to 64 KiB: {@code txPackets / tunReads} is the mean segments per read)
 * @param tunWrites          packets written to the TUN device (with offloads a write may carry up to 64
 *                           coalesced segments: {@code rxPackets / tunWrites} is the mean per write)
 */
public record UdpTunnelStats(long txPackets, long txBytes, long rxPackets, long rxBytes, long dropsNoRoute,
                             long dropsTtlExpired, long dropsMalformed, long icmpUnreachableSent, long sendErrors,
                             long receiveErrors, long txBatches, long rxBatches, long tunReads, long tunWrites) {
}
