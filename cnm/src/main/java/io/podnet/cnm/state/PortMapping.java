package io.podnet.cnm.state;

/**
 * One entry of Docker's {@code com.docker.network.portmap}: {@code HostIP:HostPort[-HostPortEnd] -> IP:Port}
 * with {@code Proto} an IP protocol number (6 tcp, 17 udp, 132 sctp). An empty {@code hostIp} means all
 * local addresses.
 */
public record PortMapping(int proto, String hostIp, int hostPort, int hostPortEnd, int port) {
    public PortMapping {
        hostIp = hostIp == null ? "" : hostIp;
        if (proto != 6 && proto != 17 && proto != 132) throw new IllegalArgumentException("unsupported port mapping protocol " + proto);
        if (port < 1 || port > 65535) throw new IllegalArgumentException("container port out of range: " + port);
        if (hostPort < 0 || hostPort > 65535) throw new IllegalArgumentException("host port out of range: " + hostPort);
        if (hostPortEnd < hostPort) hostPortEnd = hostPort;
    }

    /** nft's name of the protocol. */
    public String protoName() {
        return switch (proto) {
            case 6 -> "tcp";
            case 17 -> "udp";
            default -> "sctp";
        };
    }
}
