package io.podnet.workload.bridge;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Links;
import io.podnet.rtnetlink.NetNs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One workload attachment to a bridge network: the sandbox, the interface name inside it, the container id,
 * its addresses (with gateways) and routes, and an optional fixed MAC.
 */
public record Attachment(NetNs sandbox, String ifname, String containerId, List<IpConfig> ips, List<RouteSpec> routes,
                         Optional<MacAddress> mac) {

    /** One address and the gateway for its subnet (empty when the network has none). */
    public record IpConfig(Cidr address, Optional<IpAddress> gateway) {}

    /** A route to install in the sandbox; no gateway means via the address family's gateway. */
    public record RouteSpec(IpPrefix dst, Optional<IpAddress> gateway) {}

    public Attachment {
        Links.checkName(ifname);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        if (mac == null) mac = Optional.empty();
    }

    /** The host-side veth name of a bridge port: {@code pnv} + 11 hex digits of SHA-256(containerId/ifname), stable across retries. */
    public String hostVethName() {
        return hostVethName(containerId, ifname);
    }

    public static String hostVethName(String containerId, String ifname) {
        return hostVethName(BRIDGE_VETH_PREFIX, containerId, ifname);
    }

    /** Host ends of bridge ports. */
    public static final String BRIDGE_VETH_PREFIX = "pnv";
    /** Host ends of routed (calico-style) pods: Calico's prefix, whose non-kernel routes the node's route table owns. */
    public static final String ROUTED_VETH_PREFIX = "cali";

    /** {@code prefix} + 11 hex digits of SHA-256(containerId/ifname) (15 characters at most with a 4-letter prefix). */
    public static String hostVethName(String prefix, String containerId, String ifname) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((containerId + "/" + ifname).getBytes(StandardCharsets.UTF_8));
            return prefix + HexFormat.of().formatHex(d).substring(0, 11);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
