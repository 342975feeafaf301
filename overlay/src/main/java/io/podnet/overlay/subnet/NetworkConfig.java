package io.podnet.overlay.subnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.Optional;

/**
 * The overlay network configuration, in flannel's JSON format ({@code /coreos.com/network/config}):
 * {@code Network}, {@code SubnetLen}, {@code SubnetMin}, {@code SubnetMax}, {@code EnableIPv4},
 * {@code EnableIPv6}, {@code IPv6Network}, {@code Backend} {@code {Type, VNI, Port, DirectRouting, ...}}.
 * Defaults follow flannel: SubnetLen 24 when Network is /22 or larger (else Network's length + 2), SubnetMin
 * the second subnet, SubnetMax the last, and Backend.Type "udp" when Backend is absent (flannel's code
 * default).
 */
public record NetworkConfig(IpPrefix network, int subnetLen, IpPrefix subnetMin, IpPrefix subnetMax, BackendConfig backend,
                            boolean enableIpv6, Optional<IpPrefix> ipv6Network) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Backend section: type (vxlan, host-gw, udp) plus its options. */
    public record BackendConfig(String type, int vni, int port, boolean directRouting, int mtu) {
        public BackendConfig {
            if (!type.equals("vxlan") && !type.equals("host-gw") && !type.equals("udp")) {
                throw new IllegalArgumentException("Backend.Type must be vxlan, host-gw or udp, not \"" + type + "\"");
            }
            if (vni < 0 || vni > 0xffffff) throw new IllegalArgumentException("Backend.VNI out of range: " + vni);
            if (port < 0 || port > 65535) throw new IllegalArgumentException("Backend.Port out of range: " + port);
        }

        /** The UDP port the backend uses: vxlan 8472 (Linux default), udp 8285. */
        public int effectivePort() {
            if (port != 0) return port;
            return type.equals("udp") ? 8285 : 8472;
        }
    }

    public NetworkConfig {
        if (network.family() != io.podnet.net.IpFamily.V4) throw new IllegalArgumentException("Network must be an IPv4 CIDR: " + network);
        if (network.length() > 28) throw new IllegalArgumentException("Network " + network + " is too small (at least /28)");
        if (subnetLen < network.length() || subnetLen > 30) {
            throw new IllegalArgumentException("SubnetLen " + subnetLen + " must be between " + network.length() + " and 30");
        }
        if (subnetLen - network.length() < 2) throw new IllegalArgumentException("Network " + network + " must hold at least 4 subnets of /" + subnetLen);
        checkSubnet("SubnetMin", subnetMin, network, subnetLen);
        checkSubnet("SubnetMax", subnetMax, network, subnetLen);
        if (subnetMin.compareTo(subnetMax) > 0) throw new IllegalArgumentException("SubnetMin " + subnetMin + " is after SubnetMax " + subnetMax);
    }

    private static void checkSubnet(String field, IpPrefix p, IpPrefix network, int len) {
        if (p.length() != len || !network.contains(p)) {
            throw new IllegalArgumentException(field + " " + p + " must be a /" + len + " inside " + network);
        }
    }

    /** Parses flannel's JSON; errors name the field. */
    public static NetworkConfig parse(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("network config is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("network config must be a JSON object");
        if (!n.hasNonNull("Network")) throw new IllegalArgumentException("network config has no \"Network\" (an IPv4 CIDR)");
        IpPrefix network = prefix(n, "Network");
        int subnetLen = n.hasNonNull("SubnetLen") ? n.get("SubnetLen").asInt()
                : (network.length() <= 22 ? 24 : network.length() + 2);
        if (subnetLen < network.length() + 2 || subnetLen > 30) {
            throw new IllegalArgumentException("SubnetLen " + subnetLen + " must be between " + (network.length() + 2) + " and 30 for Network " + network);
        }
        IpPrefix min = n.hasNonNull("SubnetMin") ? subnetAt(n, "SubnetMin", subnetLen) : network.subnet(subnetLen, 1);
        long count = 1L << (subnetLen - network.length());
        IpPrefix max = n.hasNonNull("SubnetMax") ? subnetAt(n, "SubnetMax", subnetLen) : network.subnet(subnetLen, count - 1);
        JsonNode b = n.get("Backend");
        BackendConfig backend = b == null || b.isNull()
                ? new BackendConfig("udp", 1, 0, false, 0)
                : new BackendConfig(b.path("Type").asText("udp"), b.path("VNI").asInt(1), b.path("Port").asInt(0),
                        b.path("DirectRouting").asBoolean(false), b.path("MTU").asInt(0));
        boolean v6 = n.path("EnableIPv6").asBoolean(false);
        Optional<IpPrefix> v6net = n.hasNonNull("IPv6Network") ? Optional.of(prefix(n, "IPv6Network")) : Optional.empty();
        return new NetworkConfig(network, subnetLen, min, max, backend, v6, v6net);
    }

    private static IpPrefix prefix(JsonNode n, String field) {
        try {
            return IpPrefix.parse(n.get(field).asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    private static IpPrefix subnetAt(JsonNode n, String field, int len) {
        String t = n.get(field).asText();
        try {
            IpAddress a = t.contains("/") ? IpPrefix.parse(t).address() : IpAddress.parse(t);
            return new IpPrefix(a, len);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** The number of subnets between SubnetMin and SubnetMax inclusive. */
    public long subnetCount() {
        return (subnetMin.address().distanceTo(subnetMax.address()) >> (32 - subnetLen)) + 1;
    }

    /** Flannel JSON for this config (what {@code podnet overlay config set} writes). */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("Network", network.toString());
        o.put("SubnetLen", subnetLen);
        o.put("SubnetMin", subnetMin.address().toString());
        o.put("SubnetMax", subnetMax.address().toString());
        ipv6Network.ifPresent(p -> o.put("IPv6Network", p.toString()));
        if (enableIpv6) o.put("EnableIPv6", true);
        ObjectNode b = o.putObject("Backend");
        b.put("Type", backend.type());
        if (backend.type().equals("vxlan")) b.put("VNI", backend.vni());
        if (backend.port() != 0) b.put("Port", backend.port());
        if (backend.directRouting()) b.put("DirectRouting", true);
        if (backend.mtu() != 0) b.put("MTU", backend.mtu());
        return o.toString();
    }
}
