package io.podnet.rtnetlink.message;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The payload of an {@code NLMSG_ERROR} message: {@code error == 0} is an ACK; otherwise a negative errno,
 * with the extended ack text ({@code NLMSGERR_ATTR_MSG}) and offset of the offending attribute when the
 * kernel provides them. Handles both capped (NETLINK_CAP_ACK) and uncapped acks.
 */
public record NlError(int errno, int requestSeq, Optional<String> extAck, OptionalInt badAttrOffset) {

    public boolean isAck() { return errno == 0; }

    public static NlError decode(NlMessage m) {
        ByteBuffer b = m.buffer();
        if (m.length() < Nl.NLMSG_HDRLEN + 4) return new NlError(5, m.seq(), Optional.of("truncated netlink error message"), OptionalInt.empty());
        int err = -b.getInt(Nl.NLMSG_HDRLEN);
        int origHdr = Nl.NLMSG_HDRLEN + 4;
        int reqSeq = m.length() >= origHdr + 12 ? b.getInt(origHdr + 8) : m.seq();
        if ((m.flags() & Nl.NLM_F_ACK_TLVS) == 0) {
            return new NlError(err, reqSeq, Optional.empty(), OptionalInt.empty());
        }
        int tlvStart = origHdr + Nl.NLMSG_HDRLEN;
        if ((m.flags() & Nl.NLM_F_CAPPED) == 0 && m.length() >= origHdr + 4) {
            tlvStart = origHdr + Nl.align(b.getInt(origHdr)); // the whole request was echoed back
        }
        if (tlvStart > m.length()) return new NlError(err, reqSeq, Optional.empty(), OptionalInt.empty());
        NlAttrs tlvs = NlAttrs.parse(m.data(), tlvStart, m.length());
        return new NlError(err, reqSeq, tlvs.string(Nl.NLMSGERR_ATTR_MSG).filter(s -> !s.isEmpty()),
                tlvs.u32(Nl.NLMSGERR_ATTR_OFFS));
    }
}
