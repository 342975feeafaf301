package io.podnet.bgp.message;

import static io.podnet.bgp.message.BgpError.ATTRIBUTE_LENGTH_ERROR;
import static io.podnet.bgp.message.BgpError.MALFORMED_AS_PATH;
import static io.podnet.bgp.message.BgpError.OPTIONAL_ATTRIBUTE_ERROR;
import static io.podnet.bgp.message.ErrorHandling.ATTRIBUTE_DISCARD;
import static io.podnet.bgp.message.ErrorHandling.TREAT_AS_WITHDRAW;

import io.podnet.bgp.message.AsPathSegment.Type;
import io.podnet.bgp.message.PathAttribute.Aggregator;
import io.podnet.bgp.message.PathAttribute.As4Aggregator;
import io.podnet.bgp.message.PathAttribute.As4Path;
import io.podnet.bgp.message.PathAttribute.AsPath;
import io.podnet.net.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The AS number attributes: AS_PATH, AS4_PATH, AGGREGATOR and AS4_AGGREGATOR, with the content rules that
 * come on top of their syntax:
 * <ul>
 * <li>AS 0 anywhere makes the attribute malformed (RFC 7607 §2): AS_PATH is then treat-as-withdraw
 *     (RFC 7606 §7.2), AGGREGATOR attribute-discard (RFC 7606 §7.7), AS4_PATH and AS4_AGGREGATOR are
 *     discarded as RFC 6793 §6 says for malformed ones;</li>
 * <li>AS_SET and AS_CONFED_SET segments are deprecated: treat-as-withdraw in AS_PATH and AS4_PATH
 *     (RFC 9774 §3);</li>
 * <li>AS_CONFED_SEQUENCE in AS_PATH: podnet is never a member of a confederation, so every peer is outside
 *     its confederation, and a confederation segment from it is an error (RFC 5065 §5), handled as a malformed
 *     AS_PATH, i.e. treat-as-withdraw (RFC 7606 §7.2);</li>
 * <li>AS_CONFED_SEQUENCE in AS4_PATH is removed and the rest kept (RFC 6793 §6: "discard these path
 *     segments ... and continue processing"), reported as an attribute discard;</li>
 * <li>from a 4-octet peer AS4_PATH and AS4_AGGREGATOR are dropped unread (RFC 6793 §4.1).</li>
 * </ul>
 */
final class AsPathCodec {
    private AsPathCodec() {}

    static AsPath asPath(ByteReader v, CodecOptions o) throws MalformedMessageException {
        List<AsPathSegment> segs = segments(v, o.fourOctetAs() ? 4 : 2, TREAT_AS_WITHDRAW);
        for (AsPathSegment s : segs) {
            // RFC 9774 §3 (AS_SET, AS_CONFED_SET); RFC 5065 §5 + RFC 7606 §7.2 (AS_CONFED_SEQUENCE)
            if (s.type() != Type.AS_SEQUENCE || s.asns().contains(0L)) { // RFC 7607 §2: AS 0
                throw new MalformedMessageException(MALFORMED_AS_PATH, TREAT_AS_WITHDRAW, new byte[0]);
            }
        }
        return new AsPath(segs);
    }

    /** AS4_PATH; null when it is to be dropped without a report (from a 4-octet peer). */
    static As4Path as4Path(ByteReader v, byte[] raw, CodecOptions o, Problems problems) throws MalformedMessageException {
        if (o.fourOctetAs()) return null; // RFC 6793 §4.1: "MUST discard the path attribute and continue"
        int len = v.remaining();
        // RFC 6793 §6: malformed if the length is odd or below 6 (no room for one AS number)
        if (len % 2 != 0 || len < 6) throw new MalformedMessageException(ATTRIBUTE_LENGTH_ERROR, ATTRIBUTE_DISCARD, raw);
        List<AsPathSegment> segs = segments(v, 4, ATTRIBUTE_DISCARD);
        List<AsPathSegment> kept = new ArrayList<>(segs.size());
        boolean confed = false;
        for (AsPathSegment s : segs) {
            if (s.type() == Type.AS_SET || s.type() == Type.AS_CONFED_SET) { // RFC 9774 §3
                throw new MalformedMessageException(MALFORMED_AS_PATH, TREAT_AS_WITHDRAW, new byte[0]);
            }
            if (s.asns().contains(0L)) throw new MalformedMessageException(MALFORMED_AS_PATH, ATTRIBUTE_DISCARD, raw);
            if (s.type() == Type.AS_CONFED_SEQUENCE) confed = true;
            else kept.add(s);
        }
        if (confed) {
            problems.add(new MalformedMessageException(MALFORMED_AS_PATH, ATTRIBUTE_DISCARD, raw)); // RFC 6793 §6
            if (kept.isEmpty()) return null;
        }
        return new As4Path(kept);
    }

    static Aggregator aggregator(ByteReader v, byte[] raw, CodecOptions o) throws MalformedMessageException {
        // RFC 7606 §7.7: the length is 8 with 4-octet AS numbers negotiated, else 6; attribute discard
        if (v.remaining() != (o.fourOctetAs() ? 8 : 6)) throw new MalformedMessageException(ATTRIBUTE_LENGTH_ERROR, ATTRIBUTE_DISCARD, raw);
        long asn = o.fourOctetAs() ? v.u32() : v.u16();
        if (asn == 0) throw new MalformedMessageException(OPTIONAL_ATTRIBUTE_ERROR, ATTRIBUTE_DISCARD, raw); // RFC 7607 §2
        return new Aggregator(asn, IpAddress.v4((int) v.u32()));
    }

    /** AS4_AGGREGATOR; null when it is to be dropped without a report (from a 4-octet peer). */
    static As4Aggregator as4Aggregator(ByteReader v, byte[] raw, CodecOptions o) throws MalformedMessageException {
        if (o.fourOctetAs()) return null; // RFC 6793 §4.1
        if (v.remaining() != 8) throw new MalformedMessageException(ATTRIBUTE_LENGTH_ERROR, ATTRIBUTE_DISCARD, raw); // RFC 6793 §6
        long asn = v.u32();
        if (asn == 0) throw new MalformedMessageException(OPTIONAL_ATTRIBUTE_ERROR, ATTRIBUTE_DISCARD, raw); // RFC 7607 §2
        return new As4Aggregator(asn, IpAddress.v4((int) v.u32()));
    }

    /**
     * AS_PATH / AS4_PATH segments (RFC 4271 §4.3 b). RFC 7606 §7.2 (and RFC 6793 §6 for AS4_PATH): an
     * unrecognized segment type, a segment overrunning the attribute, a single octet left over, or a segment
     * of length zero make the attribute malformed.
     */
    static List<AsPathSegment> segments(ByteReader v, int asSize, ErrorHandling h) throws MalformedMessageException {
        List<AsPathSegment> out = new ArrayList<>(2);
        while (v.remaining() > 0) {
            if (v.remaining() < 2) throw new MalformedMessageException(MALFORMED_AS_PATH, h, new byte[0]);
            Type t = Type.of(v.u8());
            int count = v.u8();
            if (t == null || count == 0 || v.remaining() < count * asSize) {
                throw new MalformedMessageException(MALFORMED_AS_PATH, h, new byte[0]);
            }
            Long[] asns = new Long[count];
            for (int i = 0; i < count; i++) asns[i] = asSize == 4 ? v.u32() : v.u16();
            out.add(new AsPathSegment(t, List.of(asns)));
        }
        return out;
    }

    /** Segments with more than 255 ASNs are split (RFC 4271 §5.1.2 allows several segments). */
    static void writeSegments(ByteWriter v, List<AsPathSegment> segments, boolean fourOctet) {
        for (AsPathSegment s : segments) {
            List<Long> asns = s.asns();
            v.u8(s.type().code()).u8(asns.size());
            for (long asn : asns) {
                if (fourOctet) v.u32(asn);
                else v.u16(asn > 0xffff ? OpenMessage.AS_TRANS : (int) asn);
            }
        }
    }
}
