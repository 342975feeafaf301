package io.podnet.overlay.udp;

/** Every {@link UdpTunnelNetnsIT} test on the per-packet path (TUN offloads off, as on kernels that refuse them). */
class UdpTunnelPlainNetnsIT extends UdpTunnelNetnsIT {
    @Override
    UdpTunnelOptions options() {
        return UdpTunnelOptions.DEFAULTS.withOffloads(false);
    }
}
