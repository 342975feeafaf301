package io.podnet.rtnetlink.message;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.net.IpAddress;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.OperState;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntFunction;

/** {@code RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK} messages ⇄ {@link Link}. */
public final class LinkCodec {
    private LinkCodec() {}

    /** Indexes and fds the typed layer resolved for a link request. */
    public record Refs(OptionalInt master, OptionalInt lower, OptionalInt peerNsFd) {
        public static final Refs NONE = new Refs(OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
    }

    /** struct ifinfomsg. */
    public static void ifinfomsg(NlMsgWriter w, int family, int index, int flags, int change) {
        w.u8(family).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    /** {@code ip link add NAME [mtu M] [address MAC] [master BR] [up] type KIND ...}: RTM_NEWLINK, CREATE|EXCL. */
    public static NlMsgWriter encodeAdd(LinkAttrs attrs, LinkKind kind, Refs refs) {
        NlMsgWriter w = new NlMsgWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        ifinfomsg(w, 0, 0, attrs.adminUp() ? IFF_UP : 0, attrs.adminUp() ? IFF_UP : 0);
        w.string(IFLA_IFNAME, attrs.name());
        attrs.mtu().ifPresent(m -> w.u32(IFLA_MTU, m));
        attrs.mac().ifPresent(m -> w.mac(IFLA_ADDRESS, m));
        refs.master().ifPresent(m -> w.u32(IFLA_MASTER, m));
        if (kind instanceof LinkKind.Macvlan) refs.lower().ifPresent(l -> w.u32(IFLA_LINK, l));
        // LINKINFO/INFO_DATA without NLA_F_NESTED, byte-for-byte as iproute2 sends them
        try (var _ = w.nestPlain(IFLA_LINKINFO)) {
            w.attr(IFLA_INFO_KIND, kind.kindName().getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // no NUL, as iproute2
            encodeInfoData(w, kind, refs);
        }
        return w;
    }

    private static void encodeInfoData(NlMsgWriter w, LinkKind kind, Refs refs) {
        switch (kind) {
            case LinkKind.Veth v -> {
                try (var _ = w.nestPlain(IFLA_INFO_DATA); var _ = w.nestPlain(VETH_INFO_PEER)) {
                    ifinfomsg(w, 0, 0, 0, 0);
                    w.string(IFLA_IFNAME, v.peerName());
                    refs.peerNsFd().ifPresent(fd -> w.u32(IFLA_NET_NS_FD, fd));
                }
            }
            case LinkKind.Vxlan x -> {
                try (var _ = w.nestPlain(IFLA_INFO_DATA)) {
                    w.u32(IFLA_VXLAN_ID, x.vni());
                    x.local().ifPresent(a -> w.ip(a.isV4() ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, a));
                    refs.lower().ifPresent(l -> w.u32(IFLA_VXLAN_LINK, l));
                    x.ttl().ifPresent(t -> w.u8(IFLA_VXLAN_TTL, t));
                    w.u8(IFLA_VXLAN_LEARNING, x.learning() ? 1 : 0);
                    w.u16be(IFLA_VXLAN_PORT, x.port());
                }
            }
            case LinkKind.Macvlan m -> {
                try (var _ = w.nestPlain(IFLA_INFO_DATA)) {
                    w.u32(IFLA_MACVLAN_MODE, m.mode().value);
                }
            }
            case LinkKind.Ipip t -> {
                try (var _ = w.nestPlain(IFLA_INFO_DATA)) {
                    refs.lower().ifPresent(l -> w.u32(IFLA_IPTUN_LINK, l));
                    t.local().ifPresent(a -> w.ip(IFLA_IPTUN_LOCAL, a));
                    t.remote().ifPresent(a -> w.ip(IFLA_IPTUN_REMOTE, a));
                    w.u8(IFLA_IPTUN_TTL, t.ttl());
                    w.u8(IFLA_IPTUN_PMTUDISC, 1);
                }
            }
            case LinkKind.Bridge _, LinkKind.Dummy _, LinkKind.Device _, LinkKind.Tuntap _, LinkKind.Other _ -> { }
        }
    }

    /** A request addressed to one link by index, for set/delete. */
    public static NlMsgWriter encodeSet(int index) {
        NlMsgWriter w = new NlMsgWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg(w, 0, index, 0, 0);
        return w;
    }

    /** A request addressed to one link by name (the kernel looks it up), for set/delete: saves a round trip. */
    public static NlMsgWriter encodeSetByName(String name) {
        NlMsgWriter w = new NlMsgWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg(w, 0, 0, 0, 0);
        w.string(IFLA_IFNAME, name);
        return w;
    }

    /** {@code ip link set NAME up|down}, addressed by name. */
    public static NlMsgWriter encodeSetUpByName(String name, boolean up) {
        NlMsgWriter w = new NlMsgWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg(w, 0, 0, up ? IFF_UP : 0, IFF_UP);
        w.string(IFLA_IFNAME, name);
        return w;
    }

    /** {@code ip link del NAME}, addressed by name. */
    public static NlMsgWriter encodeDeleteByName(String name) {
        NlMsgWriter w = new NlMsgWriter(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg(w, 0, 0, 0, 0);
        w.string(IFLA_IFNAME, name);
        return w;
    }

    /** {@code ip link set DEV up|down}. */
    public static NlMsgWriter encodeSetUp(int index, boolean up) {
        NlMsgWriter w = new NlMsgWriter(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg(w, 0, index, up ? IFF_UP : 0, IFF_UP);
        return w;
    }

    /** {@code ip link del DEV}. */
    public static NlMsgWriter encodeDelete(int index) {
        NlMsgWriter w = new NlMsgWriter(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg(w, 0, index, 0, 0);
        return w;
    }

    /** {@code ip link show DEV}: RTM_GETLINK by name (no dump). */
    public static NlMsgWriter encodeGetByName(String name) {
        NlMsgWriter w = new NlMsgWriter(RTM_GETLINK, NLM_F_REQUEST);
        ifinfomsg(w, 0, 0, 0, 0);
        w.string(IFLA_IFNAME, name);
        return w;
    }

    public static NlMsgWriter encodeGetByIndex(int index) {
        NlMsgWriter w = new NlMsgWriter(RTM_GETLINK, NLM_F_REQUEST);
        ifinfomsg(w, 0, index, 0, 0);
        return w;
    }

    public static NlMsgWriter encodeDump() {
        NlMsgWriter w = new NlMsgWriter(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
        ifinfomsg(w, 0, 0, 0, 0);
        return w;
    }

    /** {@code ip link set DEV type bridge_slave hairpin on|off}: AF_BRIDGE RTM_SETLINK with IFLA_PROTINFO. */
    public static NlMsgWriter encodeHairpin(int index, boolean on) {
        NlMsgWriter w = new NlMsgWriter(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
        ifinfomsg(w, 7 /* AF_BRIDGE */, index, 0, 0);
        try (var _ = w.nest(IFLA_PROTINFO)) {
            w.u8(IFLA_BRPORT_MODE, on ? 1 : 0);
        }
        return w;
    }

    /** Decodes an RTM_NEWLINK/RTM_DELLINK message; {@code nameOf} maps ifindexes of this namespace to names. */
    public static Link decode(NlMessage m, IntFunction<Optional<String>> nameOf) {
        ByteBuffer b = m.buffer();
        int index = b.getInt(NLMSG_HDRLEN + 4);
        int flags = b.getInt(NLMSG_HDRLEN + 8);
        NlAttrs a = m.attrs(IFINFOMSG_LEN);
        Optional<NlAttrs> info = a.nested(IFLA_LINKINFO);
        String kindName = info.flatMap(i -> i.string(IFLA_INFO_KIND)).orElse("");
        NlAttrs data = info.flatMap(i -> i.nested(IFLA_INFO_DATA)).orElse(NlAttrs.parse(new byte[0]));
        OptionalInt lower = a.u32(IFLA_LINK);
        LinkKind kind = decodeKind(kindName, data, lower, nameOf);
        return new Link(index, a.string(IFLA_IFNAME).orElse(""), kind, a.u32(IFLA_MTU).orElse(0),
                a.mac(IFLA_ADDRESS), flags, OperState.of(a.u8(IFLA_OPERSTATE).orElse(0)), a.u32(IFLA_MASTER),
                lower.isPresent() && lower.getAsInt() != index ? lower : OptionalInt.empty(), a.u32(IFLA_LINK_NETNSID));
    }

    private static LinkKind decodeKind(String kind, NlAttrs d, OptionalInt lower, IntFunction<Optional<String>> nameOf) {
        return switch (kind) {
            case "" -> new LinkKind.Device();
            case "veth" -> new LinkKind.Veth("", Optional.empty());
            case "bridge" -> new LinkKind.Bridge();
            case "dummy" -> new LinkKind.Dummy();
            case "vxlan" -> new LinkKind.Vxlan(d.u32(IFLA_VXLAN_ID).orElse(0),
                    d.ip(IFLA_VXLAN_LOCAL).or(() -> d.ip(IFLA_VXLAN_LOCAL6)), d.u16be(IFLA_VXLAN_PORT).orElse(0),
                    d.u8(IFLA_VXLAN_LEARNING).orElse(1) != 0, name(d.u32(IFLA_VXLAN_LINK), nameOf),
                    d.u8(IFLA_VXLAN_TTL).orElse(0) == 0 ? OptionalInt.empty() : d.u8(IFLA_VXLAN_TTL));
            case "tun" -> new LinkKind.Tuntap(d.u8(2 /* IFLA_TUN_TYPE */).orElse(1) == 2 ? LinkKind.Tuntap.Mode.TAP : LinkKind.Tuntap.Mode.TUN);
            case "macvlan" -> new LinkKind.Macvlan(LinkKind.Macvlan.Mode.of(d.u32(IFLA_MACVLAN_MODE).orElse(4)),
                    name(lower, nameOf).orElse(""));
            case "ipip" -> new LinkKind.Ipip(nonZero(d.ip(IFLA_IPTUN_LOCAL)), nonZero(d.ip(IFLA_IPTUN_REMOTE)),
                    d.u8(IFLA_IPTUN_TTL).orElse(0), name(d.u32(IFLA_IPTUN_LINK), nameOf));
            default -> new LinkKind.Other(kind);
        };
    }

    private static Optional<IpAddress> nonZero(Optional<IpAddress> a) {
        return a.filter(x -> x.hi() != 0 || x.lo() != 0);
    }

    private static Optional<String> name(OptionalInt idx, IntFunction<Optional<String>> nameOf) {
        return idx.isPresent() && idx.getAsInt() != 0 ? nameOf.apply(idx.getAsInt()) : Optional.empty();
    }
}
