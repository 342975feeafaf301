package io.podnet.overlay.subnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A lease's value in flannel's format: {@code {"PublicIP":"192.168.64.3","PublicIPv6":null,"BackendType":"vxlan",
 * "BackendData":{"VNI":1,"VtepMAC":"c6:d2:32:6f:8f:44"}}}. The udp backend writes only PublicIP.
 */
public record LeaseAttrs(IpAddress publicIp, String backendType, Optional<MacAddress> vtepMac, int vni) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public LeaseAttrs {
        if (publicIp == null) throw new IllegalArgumentException("PublicIP is required");
        if (backendType == null) backendType = "";
        if (vtepMac == null) vtepMac = Optional.empty();
    }

    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("PublicIP", publicIp.toString());
        o.putNull("PublicIPv6");
        if (!backendType.isEmpty()) o.put("BackendType", backendType);
        if (vtepMac.isPresent()) {
            ObjectNode d = o.putObject("BackendData");
            d.put("VNI", vni);
            d.put("VtepMAC", vtepMac.get().toString());
        } else if (!backendType.isEmpty() && !backendType.equals("udp")) {
            o.putObject("BackendData");
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static LeaseAttrs parse(byte[] json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) throw new IllegalArgumentException("not a JSON object");
            if (!n.path("PublicIP").isTextual()) throw new IllegalArgumentException("PublicIP must be a string");
            IpAddress ip = IpAddress.parse(n.get("PublicIP").asText());
            JsonNode type = n.path("BackendType");
            if (!type.isMissingNode() && !type.isNull() && !type.isTextual()) throw new IllegalArgumentException("BackendType must be a string");
            JsonNode d = n.path("BackendData");
            if (!d.isMissingNode() && !d.isNull() && !d.isObject()) throw new IllegalArgumentException("BackendData must be an object");
            JsonNode m = d.path("VtepMAC");
            if (!m.isMissingNode() && !m.isNull() && !m.isTextual()) throw new IllegalArgumentException("BackendData.VtepMAC must be a string");
            JsonNode vni = d.path("VNI");
            if (!vni.isMissingNode() && !vni.isNull() && !vni.canConvertToInt()) throw new IllegalArgumentException("BackendData.VNI must be an integer");
            Optional<MacAddress> mac = m.isTextual() ? Optional.of(MacAddress.parse(m.asText())) : Optional.empty();
            return new LeaseAttrs(ip, type.asText(""), mac, vni.asInt(0));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("lease value is not flannel lease JSON: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }
}
