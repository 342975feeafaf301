package io.podnet.bgp.message;

import static io.podnet.bgp.message.BgpError.ATTRIBUTE_LENGTH_ERROR;
import static io.podnet.bgp.message.ErrorHandling.TREAT_AS_WITHDRAW;

import io.podnet.bgp.message.PathAttribute.Communities;
import io.podnet.bgp.message.PathAttribute.ExtendedCommunities;
import io.podnet.bgp.message.PathAttribute.LargeCommunities;
import io.podnet.bgp.message.PathAttribute.LargeCommunity;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The community attributes. Each is malformed when its length is not a non-zero multiple of its element
 * size, and a malformed one is treat-as-withdraw: COMMUNITIES (4 octets, RFC 7606 §7.8), EXTENDED COMMUNITIES
 * (8 octets, RFC 7606 §7.14, RFC 4360 §2) and LARGE_COMMUNITY (12 octets, RFC 8092 §5, which also asks a
 * receiver to remove duplicate values silently).
 */
final class CommunityCodec {
    private CommunityCodec() {}

    static Communities communities(ByteReader v, byte[] raw) throws MalformedMessageException {
        int len = checkLength(v, 4, raw);
        List<Long> values = new ArrayList<>(len / 4);
        while (v.remaining() > 0) values.add(v.u32());
        return new Communities(values);
    }

    static ExtendedCommunities extended(ByteReader v, byte[] raw) throws MalformedMessageException {
        int len = checkLength(v, 8, raw);
        List<Long> values = new ArrayList<>(len / 8);
        while (v.remaining() > 0) values.add(v.u32() << 32 | v.u32());
        return new ExtendedCommunities(values);
    }

    static LargeCommunities large(ByteReader v, byte[] raw) throws MalformedMessageException {
        int len = checkLength(v, 12, raw);
        LinkedHashSet<LargeCommunity> values = new LinkedHashSet<>(len / 12 * 2);
        while (v.remaining() > 0) values.add(new LargeCommunity(v.u32(), v.u32(), v.u32()));
        return new LargeCommunities(List.copyOf(values));
    }

    private static int checkLength(ByteReader v, int element, byte[] raw) throws MalformedMessageException {
        int len = v.remaining();
        if (len == 0 || len % element != 0) throw new MalformedMessageException(ATTRIBUTE_LENGTH_ERROR, TREAT_AS_WITHDRAW, raw);
        return len;
    }

    static void write(ByteWriter v, ExtendedCommunities x) {
        for (long c : x.values()) v.u32(c >>> 32).u32(c & 0xffff_ffffL);
    }

    static void write(ByteWriter v, LargeCommunities x) {
        for (LargeCommunity c : x.values()) v.u32(c.globalAdmin()).u32(c.local1()).u32(c.local2());
    }
}
