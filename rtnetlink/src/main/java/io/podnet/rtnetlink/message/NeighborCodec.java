package io.podnet.rtnetlink.message;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/** {@code RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH} for ARP/NDP entries and bridge FDB entries (AF_BRIDGE). */
public final class NeighborCodec {
    private NeighborCodec() {}

    public static final int AF_BRIDGE = 7;

    /** A decoded neighbour or FDB entry. */
    public record Raw(int family, int index, int state, int flags, Optional<IpAddress> dst, Optional<MacAddress> lladdr,
                      Optional<Integer> master) {}

    /** struct ndmsg then NDA_DST / NDA_LLADDR. */
    public static NlMsgWriter encode(int msgType, int nlFlags, Raw n) {
        NlMsgWriter w = new NlMsgWriter(msgType, NLM_F_REQUEST | NLM_F_ACK | nlFlags);
        w.u8(n.family()).u8(0).u16(0).u32(n.index()).u16(n.state()).u8(n.flags()).u8(0);
        n.dst().ifPresent(d -> w.ip(NDA_DST, d));
        n.lladdr().ifPresent(m -> w.mac(NDA_LLADDR, m));
        return w;
    }

    public static NlMsgWriter encodeDump(int family) {
        NlMsgWriter w = new NlMsgWriter(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP);
        w.u8(family).u8(0).u16(0).u32(0).u16(0).u8(0).u8(0);
        return w;
    }

    public static Raw decode(NlMessage m) {
        ByteBuffer b = m.buffer();
        int family = b.get(NLMSG_HDRLEN) & 0xff;
        int index = b.getInt(NLMSG_HDRLEN + 4);
        int state = b.getShort(NLMSG_HDRLEN + 8) & 0xffff;
        int flags = b.get(NLMSG_HDRLEN + 10) & 0xff;
        NlAttrs a = m.attrs(NDMSG_LEN);
        Optional<Integer> master = a.u32(NDA_MASTER).isPresent() ? Optional.of(a.u32(NDA_MASTER).getAsInt()) : Optional.empty();
        return new Raw(family, index, state, flags, a.ip(NDA_DST), a.mac(NDA_LLADDR), master);
    }
}
