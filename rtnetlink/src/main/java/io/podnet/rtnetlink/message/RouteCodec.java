package io.podnet.rtnetlink.message;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;

/** {@code RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE} ⇄ raw route fields (the typed layer maps ifindex ⇄ name). */
public final class RouteCodec {
    private RouteCodec() {}

    private static final int RTM_F_CLONED = 0x200;

    /** Every route field podnet models, with the output interface as an ifindex. */
    public record Raw(IpPrefix dst, Optional<IpAddress> gateway, OptionalInt oif, int scope, int table, int protocol,
                      int type, Optional<IpAddress> src, OptionalInt metric, OptionalInt mtu, int flags) {}

    public static NlMsgWriter encode(int msgType, int nlFlags, Raw r) {
        NlMsgWriter w = new NlMsgWriter(msgType, NLM_F_REQUEST | NLM_F_ACK | nlFlags);
        w.u8(r.dst().family().af()).u8(r.dst().length()).u8(0).u8(0)
                .u8(r.table() > 255 ? RT_TABLE_UNSPEC : r.table()).u8(r.protocol()).u8(r.scope()).u8(r.type())
                .u32(r.flags());
        // attribute order as iproute2 sends them, so requests compare byte for byte with its captures
        if (r.dst().length() > 0) w.ip(RTA_DST, r.dst().address());
        r.gateway().ifPresent(g -> w.ip(RTA_GATEWAY, g));
        r.metric().ifPresent(m -> w.u32(RTA_PRIORITY, m));
        r.oif().ifPresent(i -> w.u32(RTA_OIF, i));
        if (r.mtu().isPresent()) {
            try (var _ = w.nestPlain(RTA_METRICS)) {
                w.u32(RTAX_MTU, r.mtu().getAsInt());
            }
        }
        r.src().ifPresent(s -> w.ip(RTA_PREFSRC, s));
        if (r.table() > 255) w.u32(RTA_TABLE, r.table());
        return w;
    }

    public static NlMsgWriter encodeDump(IpFamily family) {
        NlMsgWriter w = new NlMsgWriter(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
        w.u8(family == null ? 0 : family.af()).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
        return w;
    }

    /** Decodes a route; empty for cloned cache entries and non-IP families. */
    public static Optional<Raw> decode(NlMessage m) {
        ByteBuffer b = m.buffer();
        int family = b.get(NLMSG_HDRLEN) & 0xff;
        if (family != 2 && family != 10) return Optional.empty();
        int dstLen = b.get(NLMSG_HDRLEN + 1) & 0xff;
        int table8 = b.get(NLMSG_HDRLEN + 4) & 0xff;
        int protocol = b.get(NLMSG_HDRLEN + 5) & 0xff;
        int scope = b.get(NLMSG_HDRLEN + 6) & 0xff;
        int type = b.get(NLMSG_HDRLEN + 7) & 0xff;
        int flags = b.getInt(NLMSG_HDRLEN + 8);
        if ((flags & RTM_F_CLONED) != 0) return Optional.empty();
        NlAttrs a = m.attrs(RTMSG_LEN);
        IpFamily fam = IpFamily.ofAf(family);
        IpAddress dstAddr = a.ip(RTA_DST).orElse(fam == IpFamily.V4 ? IpAddress.v4(0) : IpPrefix.DEFAULT_V6.address());
        OptionalInt mtu = a.nested(RTA_METRICS).map(x -> x.u32(RTAX_MTU)).orElse(OptionalInt.empty());
        return Optional.of(new Raw(IpPrefix.of(dstAddr, dstLen), a.ip(RTA_GATEWAY), a.u32(RTA_OIF), scope,
                a.u32(RTA_TABLE).orElse(table8), protocol, type, a.ip(RTA_PREFSRC), a.u32(RTA_PRIORITY), mtu, flags));
    }
}
