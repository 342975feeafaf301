/**
 * flannel's original udp backend: a TUN device ({@code flannel0}) per node and a userspace forwarder that
 * carries each IP packet in one UDP datagram (port 8285) to the node owning the destination subnet.
 * <pre>
 *  kernel ──▶ flannel0 (TUN, MTU = underlay − 28) ──read×N──▶ TunToUdpLoop ──sendmmsg(N)──▶ peer:8285
 *                                                 LPM on dst (UdpRoutes), TTL−1 + RFC 1624 checksum,
 *                                                 no route: drop + ICMP net-unreachable back into the TUN
 *  kernel ◀── flannel0 ◀──write×N── UdpToTunLoop ◀──recvmmsg(N)── UDP socket bound to underlay-ip:8285
 * </pre>
 * {@link io.podnet.overlay.udp.UdpTunnel} runs both loops on platform threads over preallocated off-heap
 * buffers; {@link io.podnet.overlay.udp.UdpRoutes} is the immutable route table swapped on lease changes;
 * {@link io.podnet.overlay.udp.Ipv4Packet} holds the pure packet rewrites. The calls beyond rtnetlink's
 * {@code Libc} (sendmmsg, recvmmsg, poll, writev, fcntl, dup3, eventfd) are bound through FFM here, so this
 * module needs {@code --enable-native-access=io.podnet.overlay} on the module path.
 *
 * <p>By default the tunnel runs with TUN offloads ({@code TunOffload}: {@code IFF_VNET_HDR},
 * TSO4, checksum): the kernel hands over TCP super-packets of up to 64 KiB, which
 * {@code TcpSegmenter} cuts into MSS-sized segments sent as UDP GSO messages, and on
 * receive (UDP GRO) {@code TcpCoalescer} joins in-order segments into super-packets
 * written with one {@code writev}; on the wire it is still one IP packet per datagram, as in flannel. The
 * per-packet loops above remain the fallback when the kernel refuses offloads.
 */
package io.podnet.overlay.udp;
