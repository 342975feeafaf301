package io.podnet.overlay.subnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The overlay backend of a network config ({@code "Backend": {"Type": ...}}): a closed choice, so every place that
 * depends on it is an exhaustive switch and a new backend breaks compilation where it must be handled.
 * {@code mtu} 0 means "derived from the underlay" ({@link io.podnet.overlay.backend.BackendPlanner#mtu}).
 */
public sealed interface Backend {

    /** flannel's name of the backend ({@code Backend.Type}). */
    String type();

    /** {@code Backend.MTU}: 0 = underlay MTU minus the backend's overhead. */
    int mtu();

    /** VXLAN: {@code flannel.VNI}; {@code port} 0 = the kernel's default 8472. */
    record Vxlan(int vni, int port, boolean directRouting, int mtu) implements Backend {
        public Vxlan {
            if (vni < 0 || vni > 0xffffff) throw new IllegalArgumentException("Backend.VNI out of range: " + vni);
            checkPort(port);
        }

        public String type() { return "vxlan"; }

        /** The UDP port: 8472 unless set (Linux's default, flannel's). */
        public int effectivePort() { return port != 0 ? port : 8472; }
    }

    /** host-gw: routes via the peers' underlay addresses, no device. */
    record HostGw(int mtu) implements Backend {
        public String type() { return "host-gw"; }
    }

    /** udp: podnet's user-space tunnel over the TUN device {@code flannel0}; {@code port} 0 = 8285. */
    record Udp(int port, int mtu) implements Backend {
        public Udp {
            checkPort(port);
        }

        public String type() { return "udp"; }

        public int effectivePort() { return port != 0 ? port : 8285; }
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("Backend.Port out of range: " + port);
    }

    /** Parses the {@code Backend} object; absent means udp (flannel's code default). Errors name the field. */
    static Backend parse(JsonNode b) {
        if (b == null || b.isNull() || b.isMissingNode()) return new Udp(0, 0);
        String type = b.path("Type").asText("udp");
        int mtu = b.path("MTU").asInt(0);
        return switch (type) {
            case "vxlan" -> new Vxlan(b.path("VNI").asInt(1), b.path("Port").asInt(0), b.path("DirectRouting").asBoolean(false), mtu);
            case "host-gw" -> new HostGw(mtu);
            case "udp" -> new Udp(b.path("Port").asInt(0), mtu);
            default -> throw new IllegalArgumentException("Backend.Type must be vxlan, host-gw or udp, not \"" + type + "\"");
        };
    }

    /** Writes the backend as flannel's JSON into {@code b}. */
    static void toJson(Backend backend, ObjectNode b) {
        b.put("Type", backend.type());
        switch (backend) {
            case Vxlan v -> {
                b.put("VNI", v.vni());
                if (v.port() != 0) b.put("Port", v.port());
                if (v.directRouting()) b.put("DirectRouting", true);
            }
            case Udp u -> {
                if (u.port() != 0) b.put("Port", u.port());
            }
            case HostGw _ -> { }
        }
        if (backend.mtu() != 0) b.put("MTU", backend.mtu());
    }
}
