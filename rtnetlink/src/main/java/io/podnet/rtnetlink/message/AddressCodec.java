package io.podnet.rtnetlink.message;

import static io.podnet.rtnetlink.message.Nl.*;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import java.nio.ByteBuffer;
import java.util.Optional;

/** {@code RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR} ⇄ raw address fields (the typed layer maps ifindex ⇄ name). */
public final class AddressCodec {
    private AddressCodec() {}

    /** A decoded address: ifindex, CIDR, scope, flags (IFA_FLAGS when present), label. */
    public record Raw(int index, Cidr cidr, int scope, int flags, Optional<String> label) {}

    /** {@code ip addr add|replace|del CIDR dev DEV}. */
    public static NlMsgWriter encode(int type, int nlFlags, int index, Cidr cidr, int scope, int ifaFlags) {
        NlMsgWriter w = new NlMsgWriter(type, NLM_F_REQUEST | NLM_F_ACK | nlFlags);
        w.u8(cidr.family().af()).u8(cidr.length()).u8(ifaFlags & 0xff).u8(scope).u32(index);
        w.ip(IFA_LOCAL, cidr.address());
        w.ip(IFA_ADDRESS, cidr.address());
        if (type == RTM_NEWADDR && ifaFlags != 0) w.u32(IFA_FLAGS, ifaFlags);
        return w;
    }

    public static NlMsgWriter encodeDump(IpFamily family) {
        NlMsgWriter w = new NlMsgWriter(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
        w.u8(family == null ? 0 : family.af()).u8(0).u8(0).u8(0).u32(0);
        return w;
    }

    public static Optional<Raw> decode(NlMessage m) {
        ByteBuffer b = m.buffer();
        int family = b.get(NLMSG_HDRLEN) & 0xff;
        if (family != 2 && family != 10) return Optional.empty();
        int prefixLen = b.get(NLMSG_HDRLEN + 1) & 0xff;
        int flags8 = b.get(NLMSG_HDRLEN + 2) & 0xff;
        int scope = b.get(NLMSG_HDRLEN + 3) & 0xff;
        int index = b.getInt(NLMSG_HDRLEN + 4);
        NlAttrs a = m.attrs(IFADDRMSG_LEN);
        Optional<IpAddress> ip = a.ip(IFA_LOCAL).or(() -> a.ip(IFA_ADDRESS));
        if (ip.isEmpty()) return Optional.empty();
        return Optional.of(new Raw(index, new Cidr(ip.get(), prefixLen), scope, a.u32(IFA_FLAGS).orElse(flags8),
                a.string(IFA_LABEL)));
    }
}
