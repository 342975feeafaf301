package io.podnet.cnm.state;

import java.util.List;

/**
 * An endpoint: its address (CIDR), its IPv6 address (CIDR, or empty/null on an IPv4-only network), the veth pair
 * names it gets at Join, whether it is joined and whether its port mappings are published
 * (ProgramExternalConnectivity).
 */
public record EndpointState(String networkId, String endpointId, String address, String mac, String hostVeth,
                            String containerVeth, boolean joined, boolean published, List<PortMapping> ports, String address6) {
    public EndpointState {
        ports = ports == null ? List.of() : List.copyOf(ports);
        mac = mac == null ? "" : mac;
        address6 = address6 == null ? "" : address6;
    }

    public EndpointState withJoined(boolean j) {
        return new EndpointState(networkId, endpointId, address, mac, hostVeth, containerVeth, j, published, ports, address6);
    }

    public EndpointState withPublished(boolean p, List<PortMapping> newPorts) {
        return new EndpointState(networkId, endpointId, address, mac, hostVeth, containerVeth, joined, p, newPorts, address6);
    }
}
