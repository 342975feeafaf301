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

    /**
     * True when both mappings would take the same host port: same protocol, overlapping host port ranges and the
     * same host address, or either of them on all addresses (empty or {@code 0.0.0.0}). Mappings without a host
     * port ({@code -P}) never clash (podnet does not publish them).
     */
    public boolean clashesWith(PortMapping o) {
        if (proto != o.proto || hostPort == 0 || o.hostPort == 0) return false;
        if (hostPortEnd < o.hostPort || o.hostPortEnd < hostPort) return false;
        return anyHost() || o.anyHost() || hostIp.equals(o.hostIp);
    }

    private boolean anyHost() { return hostIp.isEmpty() || hostIp.equals("0.0.0.0"); }

    /** {@code 127.0.0.1:18081/tcp} (host side). */
    public String hostSide() {
        String ports = hostPortEnd > hostPort ? hostPort + "-" + hostPortEnd : Integer.toString(hostPort);
        return (anyHost() ? "0.0.0.0" : hostIp) + ":" + ports + "/" + protoName();
    }
}
