package io.podnet.bgp.message;

import static io.podnet.bgp.message.BgpError.ATTRIBUTE_FLAGS_ERROR;
import static io.podnet.bgp.message.BgpError.ATTRIBUTE_LENGTH_ERROR;
import static io.podnet.bgp.message.BgpError.MALFORMED_AS_PATH;
import static io.podnet.bgp.message.BgpError.OPTIONAL_ATTRIBUTE_ERROR;
import static io.podnet.bgp.message.ErrorHandling.AFI_SAFI_DISABLE;
import static io.podnet.bgp.message.ErrorHandling.ATTRIBUTE_DISCARD;
import static io.podnet.bgp.message.ErrorHandling.SESSION_RESET;
import static io.podnet.bgp.message.ErrorHandling.TREAT_AS_WITHDRAW;

import static io.podnet.bgp.message.PathAttribute.*;

import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes one path attribute value (RFC 4271 §4.3). Each malformed case names its RFC 7606 §7
 * treatment; the attribute's own bytes go into the NOTIFICATION data as RFC 4271 §6.3 asks.
 */
final class AttributeCodec {
    private AttributeCodec() {}

    /**
     * Decodes the value of an attribute whose header was already read. {@code raw} is the whole attribute
     * (flags, type, length, value) for error data.
     */
    static PathAttribute decode(int flags, int type, ByteReader v, byte[] raw, CodecOptions o)
            throws MalformedMessageException {
        int len = v.remaining();
        return switch (type) {
            case ORIGIN -> {
                check(flags, WELL_KNOWN, raw, TREAT_AS_WITHDRAW);
                need(len == 1, ATTRIBUTE_LENGTH_ERROR, raw, TREAT_AS_WITHDRAW);     // RFC 7606 §7.1
                int value = v.u8();
                if (value > 2) throw new MalformedMessageException(BgpError.INVALID_ORIGIN_ATTRIBUTE, TREAT_AS_WITHDRAW, raw);
                yield new Origin(OriginType.values()[value]);
            }
            case AS_PATH -> {
                check(flags, WELL_KNOWN, raw, TREAT_AS_WITHDRAW);
                yield new AsPath(segments(v, o.fourOctetAs() ? 4 : 2, MALFORMED_AS_PATH, TREAT_AS_WITHDRAW)); // §7.2
            }
            case NEXT_HOP -> {
                check(flags, WELL_KNOWN, raw, TREAT_AS_WITHDRAW);
                need(len == 4, ATTRIBUTE_LENGTH_ERROR, raw, TREAT_AS_WITHDRAW);     // RFC 7606 §7.3
                IpAddress nh = IpAddress.v4((int) v.u32());
                if (!validNextHop(nh)) throw new MalformedMessageException(BgpError.INVALID_NEXT_HOP_ATTRIBUTE, TREAT_AS_WITHDRAW, raw);
                yield new NextHop(nh);
            }
            case MULTI_EXIT_DISC -> {
                check(flags, OPTIONAL_NON_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                need(len == 4, ATTRIBUTE_LENGTH_ERROR, raw, TREAT_AS_WITHDRAW);     // RFC 7606 §7.4
                yield new MultiExitDisc(v.u32());
            }
            case LOCAL_PREF -> {
                check(flags, WELL_KNOWN, raw, TREAT_AS_WITHDRAW);
                need(len == 4, ATTRIBUTE_LENGTH_ERROR, raw, TREAT_AS_WITHDRAW);     // RFC 7606 §7.5
                yield new LocalPref(v.u32());
            }
            case ATOMIC_AGGREGATE -> {
                check(flags, WELL_KNOWN, raw, ATTRIBUTE_DISCARD);
                need(len == 0, ATTRIBUTE_LENGTH_ERROR, raw, ATTRIBUTE_DISCARD);     // RFC 7606 §7.6
                yield new AtomicAggregate();
            }
            case AGGREGATOR -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, ATTRIBUTE_DISCARD);
                need(len == (o.fourOctetAs() ? 8 : 6), ATTRIBUTE_LENGTH_ERROR, raw, ATTRIBUTE_DISCARD); // RFC 7606 §7.7
                long asn = o.fourOctetAs() ? v.u32() : v.u16();
                yield new Aggregator(asn, IpAddress.v4((int) v.u32()));
            }
            case COMMUNITIES -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                need(len > 0 && len % 4 == 0, ATTRIBUTE_LENGTH_ERROR, raw, TREAT_AS_WITHDRAW); // RFC 7606 §7.8
                List<Long> values = new ArrayList<>(len / 4);
                while (v.remaining() > 0) values.add(v.u32());
                yield new Communities(values);
            }
            case ORIGINATOR_ID -> {
                check(flags, OPTIONAL_NON_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                need(len == 4, ATTRIBUTE_LENGTH_ERROR, raw, TREAT_AS_WITHDRAW);     // RFC 7606 §7.9
                yield new OriginatorId(IpAddress.v4((int) v.u32()));
            }
            case CLUSTER_LIST -> {
                check(flags, OPTIONAL_NON_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                need(len > 0 && len % 4 == 0, ATTRIBUTE_LENGTH_ERROR, raw, TREAT_AS_WITHDRAW); // RFC 7606 §7.10
                List<IpAddress> ids = new ArrayList<>(len / 4);
                while (v.remaining() > 0) ids.add(IpAddress.v4((int) v.u32()));
                yield new ClusterList(ids);
            }
            case MP_REACH_NLRI -> mpReach(flags, v, raw);
            case MP_UNREACH_NLRI -> mpUnreach(flags, v, raw);
            case AS4_PATH -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, ATTRIBUTE_DISCARD);
                yield new As4Path(segments(v, 4, MALFORMED_AS_PATH, ATTRIBUTE_DISCARD)); // RFC 6793 §6, RFC 7606 §7.12
            }
            case AS4_AGGREGATOR -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, ATTRIBUTE_DISCARD);
                need(len == 8, ATTRIBUTE_LENGTH_ERROR, raw, ATTRIBUTE_DISCARD);     // RFC 6793 §6
                yield new As4Aggregator(v.u32(), IpAddress.v4((int) v.u32()));
            }
            default -> {
                // RFC 4271 §6.3: an unrecognized well-known attribute resets the session.
                if ((flags & FLAG_OPTIONAL) == 0) {
                    throw new MalformedMessageException(BgpError.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, SESSION_RESET, raw);
                }
                yield new Unknown(flags, type, v.bytes(len));
            }
        };
    }

    /** RFC 4271 §6.3 NEXT_HOP syntax: not 0.0.0.0, not class D/E (multicast, reserved, broadcast). */
    private static boolean validNextHop(IpAddress nh) {
        long v = nh.lo();
        return v != 0 && (v >>> 28) < 0xe;
    }

    private static void check(int flags, int expected, byte[] raw, ErrorHandling h) throws MalformedMessageException {
        // RFC 4271 §6.3 / RFC 7606 §3.c: Optional and Transitive bits must match the attribute's definition.
        if ((flags & (FLAG_OPTIONAL | FLAG_TRANSITIVE)) != expected) {
            throw new MalformedMessageException(ATTRIBUTE_FLAGS_ERROR, h, raw);
        }
    }

    private static void need(boolean ok, BgpError e, byte[] raw, ErrorHandling h) throws MalformedMessageException {
        if (!ok) throw new MalformedMessageException(e, h, raw);
    }

    /** AS_PATH / AS4_PATH segments (RFC 4271 §4.3 b); RFC 7606 §7.2 lists what makes one malformed. */
    static List<AsPathSegment> segments(ByteReader v, int asSize, BgpError e, ErrorHandling h)
            throws MalformedMessageException {
        List<AsPathSegment> out = new ArrayList<>(2);
        while (v.remaining() > 0) {
            if (v.remaining() < 2) throw new MalformedMessageException(e, h, new byte[0]);
            AsPathSegment.Type t = AsPathSegment.Type.of(v.u8());
            int count = v.u8();
            if (t == null || count == 0 || v.remaining() < count * asSize) {
                throw new MalformedMessageException(e, h, new byte[0]);
            }
            Long[] asns = new Long[count];
            for (int i = 0; i < count; i++) asns[i] = asSize == 4 ? v.u32() : v.u16();
            out.add(new AsPathSegment(t, List.of(asns)));
        }
        return out;
    }

    /** MP_REACH_NLRI (RFC 4760 §3); malformed → AFI/SAFI disable when the family is readable, else reset (RFC 7606 §7.11). */
    private static PathAttribute mpReach(int flags, ByteReader v, byte[] raw) throws MalformedMessageException {
        if (v.remaining() < 5) throw new MalformedMessageException(OPTIONAL_ATTRIBUTE_ERROR, SESSION_RESET, raw);
        int start = v.position();
        AfiSafi fam = new AfiSafi(v.u16(), v.u8());
        if (!fam.isSupported()) return unknownMp(flags, MP_REACH_NLRI, v, start);
        check(flags, OPTIONAL_NON_TRANSITIVE, raw, AFI_SAFI_DISABLE);
        IpFamily ip = fam.afi() == AfiSafi.AFI_IPV4 ? IpFamily.V4 : IpFamily.V6;
        int nhLen = v.u8();
        boolean okLen = ip == IpFamily.V4 ? nhLen == 4 : (nhLen == 16 || nhLen == 32);
        if (!okLen || v.remaining() < nhLen + 1) throw new MalformedMessageException(OPTIONAL_ATTRIBUTE_ERROR, AFI_SAFI_DISABLE, raw);
        List<IpAddress> nhs = new ArrayList<>(2);
        for (int i = 0; i < nhLen / ip.bytes(); i++) nhs.add(IpAddress.ofBytes(v.bytes(ip.bytes())));
        v.skip(1); // Reserved (RFC 4760 §3)
        List<IpPrefix> nlri = new ArrayList<>();
        PrefixCodec.readAll(v, ip, nlri, OPTIONAL_ATTRIBUTE_ERROR, AFI_SAFI_DISABLE);
        return new MpReach(fam, nhs, nlri);
    }

    /** MP_UNREACH_NLRI (RFC 4760 §4). */
    private static PathAttribute mpUnreach(int flags, ByteReader v, byte[] raw) throws MalformedMessageException {
        if (v.remaining() < 3) throw new MalformedMessageException(OPTIONAL_ATTRIBUTE_ERROR, SESSION_RESET, raw);
        int start = v.position();
        AfiSafi fam = new AfiSafi(v.u16(), v.u8());
        if (!fam.isSupported()) return unknownMp(flags, MP_UNREACH_NLRI, v, start);
        check(flags, OPTIONAL_NON_TRANSITIVE, raw, AFI_SAFI_DISABLE);
        List<IpPrefix> withdrawn = new ArrayList<>();
        IpFamily ip = fam.afi() == AfiSafi.AFI_IPV4 ? IpFamily.V4 : IpFamily.V6;
        PrefixCodec.readAll(v, ip, withdrawn, OPTIONAL_ATTRIBUTE_ERROR, AFI_SAFI_DISABLE);
        return new MpUnreach(fam, withdrawn);
    }

    private static PathAttribute unknownMp(int flags, int type, ByteReader v, int start) throws MalformedMessageException {
        int consumed = v.position() - start;
        byte[] rest = v.bytes(v.remaining());
        byte[] all = new byte[consumed + rest.length];
        System.arraycopy(v.array(), start, all, 0, consumed);
        System.arraycopy(rest, 0, all, consumed, rest.length);
        return new Unknown(flags | FLAG_OPTIONAL, type, all);
    }

    // ---------------------------------------------------------------- encoding

    /** Writes one attribute: flags (Extended Length when the value exceeds 255 octets), type, length, value. */
    static void encode(ByteWriter w, PathAttribute a, CodecOptions o) {
        ByteWriter v = new ByteWriter(32);
        int flags = encodeValue(v, a, o);
        int len = v.size();
        if (len > 255) {
            w.u8(flags | FLAG_EXTENDED_LENGTH).u8(a.typeCode()).u16(len);
        } else {
            w.u8(flags & ~FLAG_EXTENDED_LENGTH).u8(a.typeCode()).u8(len);
        }
        w.bytes(v.toByteArray());
    }

    private static int encodeValue(ByteWriter v, PathAttribute a, CodecOptions o) {
        switch (a) {
            case Origin x -> v.u8(x.value().ordinal());
            case AsPath x -> writeSegments(v, x.segments(), o.fourOctetAs());
            case NextHop x -> v.bytes(x.address().toBytes());
            case MultiExitDisc x -> v.u32(x.value());
            case LocalPref x -> v.u32(x.value());
            case AtomicAggregate _ -> { }
            case Aggregator x -> {
                if (o.fourOctetAs()) v.u32(x.asn());
                else v.u16(x.asn() > 0xffff ? OpenMessage.AS_TRANS : (int) x.asn());
                v.bytes(x.address().toBytes());
            }
            case Communities x -> x.values().forEach(v::u32);
            case OriginatorId x -> v.bytes(x.id().toBytes());
            case ClusterList x -> x.ids().forEach(id -> v.bytes(id.toBytes()));
            case MpReach x -> {
                v.u16(x.family().afi()).u8(x.family().safi());
                v.u8(x.nextHops().size() * x.nextHops().getFirst().family().bytes());
                x.nextHops().forEach(nh -> v.bytes(nh.toBytes()));
                v.u8(0);
                x.nlri().forEach(p -> PrefixCodec.write(v, p));
            }
            case MpUnreach x -> {
                v.u16(x.family().afi()).u8(x.family().safi());
                x.withdrawn().forEach(p -> PrefixCodec.write(v, p));
            }
            case As4Path x -> writeSegments(v, x.segments(), true);
            case As4Aggregator x -> v.u32(x.asn()).bytes(x.address().toBytes());
            case Unknown x -> {
                v.bytes(x.value());
                return x.flags();
            }
        }
        return a.expectedFlags();
    }

    /** Segments with more than 255 ASNs are split (RFC 4271 §5.1.2 allows several segments). */
    private static void writeSegments(ByteWriter v, List<AsPathSegment> segments, boolean fourOctet) {
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
