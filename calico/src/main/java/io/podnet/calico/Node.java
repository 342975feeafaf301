package io.podnet.calico;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Calico's {@code Node} ({@code api/pkg/apis/projectcalico/v3/node.go}): one per cluster node, key
 * {@code nodes/<name>}. IPAM uses its name and labels (pool {@code nodeSelector}); the BGP fields are here for the
 * routed mode.
 */
public record Node(ObjectMeta metadata, Spec spec) implements Resource {
    public static final Kind<Node> KIND = new Kind<>("Node", "nodes", false, Spec.class, (m, s) -> new Node(m, (Spec) s),
            List.of("node", "no"), Kind.CrossCheck.none());

    /** {@code spec}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(@JsonProperty("bgp") Bgp bgp, @JsonProperty("ipv4VXLANTunnelAddr") String ipv4VxlanTunnelAddr,
                       @JsonProperty("vxlanTunnelMACAddr") String vxlanTunnelMacAddr,
                       @JsonProperty("ipv6VXLANTunnelAddr") String ipv6VxlanTunnelAddr,
                       @JsonProperty("vxlanTunnelMACAddrV6") String vxlanTunnelMacAddrV6) {
        public static final Spec EMPTY = new Spec(null, null, null, null, null);
    }

    /** {@code spec.bgp}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Bgp(@JsonProperty("asNumber") Long asNumber, @JsonProperty("ipv4Address") String ipv4Address,
                      @JsonProperty("ipv6Address") String ipv6Address,
                      @JsonProperty("ipv4IPIPTunnelAddr") String ipv4IpipTunnelAddr,
                      @JsonProperty("routeReflectorClusterID") String routeReflectorClusterId) {}

    public static Node of(String name, Map<String, String> labels) {
        return new Node(ObjectMeta.named(name, labels), Spec.EMPTY);
    }

    @Override
    public Kind<Node> kind() { return KIND; }

    @Override
    public Node withMetadata(ObjectMeta m) { return new Node(m, spec); }

    public Map<String, String> labels() { return metadata.labels(); }

    @Override
    public Node validated() {
        Checks.name(this);
        Spec s = spec == null ? Spec.EMPTY : spec;
        if (s.ipv4VxlanTunnelAddr() != null) Checks.address(this, "spec.ipv4VXLANTunnelAddr", s.ipv4VxlanTunnelAddr());
        if (s.ipv6VxlanTunnelAddr() != null) Checks.address(this, "spec.ipv6VXLANTunnelAddr", s.ipv6VxlanTunnelAddr());
        if (s.vxlanTunnelMacAddr() != null) mac("spec.vxlanTunnelMACAddr", s.vxlanTunnelMacAddr());
        if (s.vxlanTunnelMacAddrV6() != null) mac("spec.vxlanTunnelMACAddrV6", s.vxlanTunnelMacAddrV6());
        Bgp b = s.bgp();
        if (b != null) {
            if (b.asNumber() != null && (b.asNumber() < 1 || b.asNumber() > 0xffff_ffffL)) {
                throw invalid("spec.bgp.asNumber", b.asNumber() + " is not a 32-bit AS number");
            }
            if (b.ipv4Address() != null && !Checks.addressWithLength(this, "spec.bgp.ipv4Address", b.ipv4Address()).isV4()) {
                throw invalid("spec.bgp.ipv4Address", "\"" + b.ipv4Address() + "\" is not IPv4");
            }
            if (b.ipv6Address() != null && !Checks.addressWithLength(this, "spec.bgp.ipv6Address", b.ipv6Address()).isV6()) {
                throw invalid("spec.bgp.ipv6Address", "\"" + b.ipv6Address() + "\" is not IPv6");
            }
            if (b.ipv4IpipTunnelAddr() != null) Checks.address(this, "spec.bgp.ipv4IPIPTunnelAddr", b.ipv4IpipTunnelAddr());
            if (b.routeReflectorClusterId() != null
                    && !Checks.address(this, "spec.bgp.routeReflectorClusterID", b.routeReflectorClusterId()).isV4()) {
                throw invalid("spec.bgp.routeReflectorClusterID", "must be IPv4-formatted");
            }
        }
        return new Node(metadata, s);
    }

    private void mac(String field, String text) {
        try {
            io.podnet.net.MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(field, "\"" + text + "\" is not a MAC address");
        }
    }
}
