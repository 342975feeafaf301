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
public record NetworkConfig(IpPrefix network, int subnetLen, IpPrefix subnetMin, IpPrefix subnetMax, Backend backend,
                            boolean enableIpv6, Optional<IpPrefix> ipv6Network) {
    private static final ObjectMapper JSON = new ObjectMapper();

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
        Backend backend = Backend.parse(n.get("Backend"));
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
        Backend.toJson(backend, o.putObject("Backend"));
        return o.toString();
    }
}
