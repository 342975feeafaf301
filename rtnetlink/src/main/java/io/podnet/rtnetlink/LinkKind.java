package io.podnet.rtnetlink;

import io.podnet.net.IpAddress;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What kind of link: the closed set podnet creates, plus {@link Other} for anything the kernel reports that we
 * do not model (its {@code IFLA_INFO_KIND} is kept). Used both to create links and to describe listed ones.
 */
public sealed interface LinkKind {

    /** The kernel's {@code IFLA_INFO_KIND} string, or empty for plain devices. */
    String kindName();

    /** A device with no link kind (physical NICs, loopback). */
    record Device() implements LinkKind {
        public String kindName() { return ""; }
    }

    /**
     * A veth pair. On creation, the peer is named {@code peerName} and created directly in
     * {@code peerNamespace} (or beside this end when empty). A listed veth has an empty peer name.
     */
    record Veth(String peerName, Optional<NetNs> peerNamespace) implements LinkKind {
        public Veth {
            if (peerName == null) peerName = "";
            if (peerNamespace == null) peerNamespace = Optional.empty();
        }

        public static Veth peer(String name) { return new Veth(name, Optional.empty()); }

        public static Veth peerIn(String name, NetNs ns) { return new Veth(name, Optional.of(ns)); }

        public String kindName() { return "veth"; }
    }

    record Bridge() implements LinkKind {
        public String kindName() { return "bridge"; }
    }

    record Dummy() implements LinkKind {
        public String kindName() { return "dummy"; }
    }

    /**
     * A VXLAN device. {@code port} is the UDP destination port (flannel uses 8472, IANA 4789);
     * {@code device} is the underlay link the VTEP sends through.
     */
    record Vxlan(int vni, Optional<IpAddress> local, int port, boolean learning, Optional<String> device,
                 OptionalInt ttl) implements LinkKind {
        public Vxlan {
            if (vni < 0 || vni > 0xffffff) throw new IllegalArgumentException("VXLAN VNI must be 0..16777215: " + vni);
            if (port < 0 || port > 0xffff) throw new IllegalArgumentException("VXLAN port out of range: " + port);
            if (local == null) local = Optional.empty();
            if (device == null) device = Optional.empty();
            if (ttl == null) ttl = OptionalInt.empty();
        }

        /** VNI and port, learning off, no local/underlay pinning. */
        public static Vxlan of(int vni, int port) {
            return new Vxlan(vni, Optional.empty(), port, false, Optional.empty(), OptionalInt.empty());
        }

        public Vxlan withLocal(IpAddress a) { return new Vxlan(vni, Optional.of(a), port, learning, device, ttl); }

        public Vxlan withDevice(String dev) { return new Vxlan(vni, local, port, learning, Optional.of(dev), ttl); }

        public String kindName() { return "vxlan"; }
    }

    /** A TUN (L3) or TAP (L2) device, created through {@code /dev/net/tun}. */
    record Tuntap(Mode mode) implements LinkKind {
        public enum Mode { TUN, TAP }

        public String kindName() { return "tun"; }
    }

    /** A macvlan on top of {@code parent}. */
    record Macvlan(Mode mode, String parent) implements LinkKind {
        /** {@code IFLA_MACVLAN_MODE} values. */
        public enum Mode {
            PRIVATE(1), VEPA(2), BRIDGE(4), PASSTHRU(8), SOURCE(16);

            public final int value;

            Mode(int v) { this.value = v; }

            public static Mode of(int v) {
                for (Mode m : values()) if (m.value == v) return m;
                return BRIDGE;
            }
        }

        public String kindName() { return "macvlan"; }
    }

    /** An IPv4-in-IPv4 tunnel (RFC 2003). Needs the kernel's ipip module. */
    record Ipip(Optional<IpAddress> local, Optional<IpAddress> remote, int ttl, Optional<String> device) implements LinkKind {
        public Ipip {
            if (local == null) local = Optional.empty();
            if (remote == null) remote = Optional.empty();
            if (device == null) device = Optional.empty();
        }

        public String kindName() { return "ipip"; }
    }

    /** A kind podnet does not model, e.g. {@code wireguard}; listed only. */
    record Other(String kindName) implements LinkKind {}
}
