package io.podnet.overlay.udp;

/**
 * Tuning of a {@link UdpTunnel}.
 *
 * @param batchSize     packets per {@code sendmmsg}/{@code recvmmsg} call and per TUN drain (1–1024; the
 *                      kernel caps a call at {@code UIO_MAXIOV} = 1024)
 * @param maxPacketSize bytes per preallocated packet slot (576–65535): the largest IP packet read from the TUN
 *                      device or datagram accepted from a peer; longer datagrams are dropped as truncated.
 *                      Must be at least the TUN MTU (1472 on a 1500-byte underlay)
 * @param remotePort    UDP port the peers listen on (flannel: 8285)
 * @param offloads      try TUN offloads ({@code IFF_VNET_HDR}, TSO4, checksum; UDP GSO/GRO on the socket): TCP
 *                      super-packets of up to 64 KiB per TUN read/write, segmented and coalesced in userspace.
 *                      Falls back to the per-packet path when the kernel refuses; false forces that path
 */
public record UdpTunnelOptions(int batchSize, int maxPacketSize, int remotePort, boolean offloads) {
    /** 64 packets per batch, 9216-byte slots (jumbo frames fit), port 8285, offloads on. */
    public static final UdpTunnelOptions DEFAULTS = new UdpTunnelOptions(64, 9216, UdpSocket.FLANNEL_PORT, true);

    /** Options with offloads on. */
    public UdpTunnelOptions(int batchSize, int maxPacketSize, int remotePort) {
        this(batchSize, maxPacketSize, remotePort, true);
    }

    public UdpTunnelOptions {
        if (batchSize < 1 || batchSize > 1024) throw new IllegalArgumentException("batchSize must be 1..1024: " + batchSize);
        if (maxPacketSize < 576 || maxPacketSize > 65535) {
            throw new IllegalArgumentException("maxPacketSize must be 576..65535: " + maxPacketSize);
        }
        if (remotePort < 1 || remotePort > 65535) throw new IllegalArgumentException("bad remotePort " + remotePort);
    }

    public UdpTunnelOptions withRemotePort(int port) {
        return new UdpTunnelOptions(batchSize, maxPacketSize, port, offloads);
    }

    public UdpTunnelOptions withBatchSize(int size) {
        return new UdpTunnelOptions(size, maxPacketSize, remotePort, offloads);
    }

    public UdpTunnelOptions withOffloads(boolean on) {
        return new UdpTunnelOptions(batchSize, maxPacketSize, remotePort, on);
    }
}
