package io.podnet.bgp.message;

import static io.podnet.bgp.message.BgpError.ATTRIBUTE_FLAGS_ERROR;
import static io.podnet.bgp.message.BgpError.ATTRIBUTE_LENGTH_ERROR;
import static io.podnet.bgp.message.ErrorHandling.ATTRIBUTE_DISCARD;
import static io.podnet.bgp.message.ErrorHandling.SESSION_RESET;
import static io.podnet.bgp.message.ErrorHandling.TREAT_AS_WITHDRAW;

import static io.podnet.bgp.message.PathAttribute.*;

import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes one path attribute value (RFC 4271 §4.3). Each malformed case names its RFC 7606 §7
 * treatment; the attribute's own bytes go into the NOTIFICATION data as RFC 4271 §6.3 asks. Wrong Optional or
 * Transitive flags are treat-as-withdraw (RFC 7606 §3.c) except where the attribute's rules say otherwise:
 * attribute discard for ATOMIC_AGGREGATE and AGGREGATOR (§3.f), AFI/SAFI disable for the MP attributes (§5.3).
 * The AS number, community and multiprotocol attributes have codecs of their own.
 */
final class AttributeCodec {
    private AttributeCodec() {}

    /**
     * Decodes the value of an attribute whose header was already read. {@code raw} is the whole attribute
     * (flags, type, length, value) for error data. Returns null for an attribute that is dropped without
     * being an error (LOCAL_PREF, ORIGINATOR_ID or CLUSTER_LIST from an external peer, AS4 attributes from a
     * 4-octet peer). Problems that leave a (changed) attribute in place are reported to {@code problems}.
     */
    static PathAttribute decode(int flags, int type, ByteReader v, byte[] raw, CodecOptions o, Problems problems)
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
                yield AsPathCodec.asPath(v, o);                                      // RFC 7606 §7.2
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
                // RFC 7606 §7.5: from an external peer it is discarded whatever it holds (RFC 4271 §5.1.5: ignored)
                ErrorHandling h = o.external() ? ATTRIBUTE_DISCARD : TREAT_AS_WITHDRAW;
                check(flags, WELL_KNOWN, raw, h);
                need(len == 4, ATTRIBUTE_LENGTH_ERROR, raw, h);
                long value = v.u32();
                yield o.external() ? null : new LocalPref(value);
            }
            case ATOMIC_AGGREGATE -> {
                check(flags, WELL_KNOWN, raw, ATTRIBUTE_DISCARD);                   // RFC 7606 §3.f
                need(len == 0, ATTRIBUTE_LENGTH_ERROR, raw, ATTRIBUTE_DISCARD);     // RFC 7606 §7.6
                yield new AtomicAggregate();
            }
            case AGGREGATOR -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, ATTRIBUTE_DISCARD);          // RFC 7606 §3.f
                yield AsPathCodec.aggregator(v, raw, o);                            // RFC 7606 §7.7, RFC 7607 §2
            }
            case COMMUNITIES -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                yield CommunityCodec.communities(v, raw);                           // RFC 7606 §7.8
            }
            case ORIGINATOR_ID -> {
                // RFC 7606 §7.9: discarded from an external peer, treat-as-withdraw when malformed from an internal one
                ErrorHandling h = o.external() ? ATTRIBUTE_DISCARD : TREAT_AS_WITHDRAW;
                check(flags, OPTIONAL_NON_TRANSITIVE, raw, h);
                need(len == 4, ATTRIBUTE_LENGTH_ERROR, raw, h);
                IpAddress id = IpAddress.v4((int) v.u32());
                yield o.external() ? null : new OriginatorId(id);
            }
            case CLUSTER_LIST -> {
                ErrorHandling h = o.external() ? ATTRIBUTE_DISCARD : TREAT_AS_WITHDRAW; // RFC 7606 §7.10
                check(flags, OPTIONAL_NON_TRANSITIVE, raw, h);
                need(len > 0 && len % 4 == 0, ATTRIBUTE_LENGTH_ERROR, raw, h);
                List<IpAddress> ids = new ArrayList<>(len / 4);
                while (v.remaining() > 0) ids.add(IpAddress.v4((int) v.u32()));
                yield o.external() ? null : new ClusterList(ids);
            }
            case MP_REACH_NLRI -> MpCodec.reach(flags, v, raw);
            case MP_UNREACH_NLRI -> MpCodec.unreach(flags, v, raw);
            case EXTENDED_COMMUNITIES -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                yield CommunityCodec.extended(v, raw);                              // RFC 7606 §7.14
            }
            case LARGE_COMMUNITIES -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                yield CommunityCodec.large(v, raw);                                 // RFC 8092 §5
            }
            case AS4_PATH -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                yield AsPathCodec.as4Path(v, raw, o, problems);                     // RFC 6793 §6
            }
            case AS4_AGGREGATOR -> {
                check(flags, OPTIONAL_TRANSITIVE, raw, TREAT_AS_WITHDRAW);
                yield AsPathCodec.as4Aggregator(v, raw, o);                         // RFC 6793 §6
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
            case AsPath x -> AsPathCodec.writeSegments(v, x.segments(), o.fourOctetAs());
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
            case ExtendedCommunities x -> CommunityCodec.write(v, x);
            case LargeCommunities x -> CommunityCodec.write(v, x);
            case OriginatorId x -> v.bytes(x.id().toBytes());
            case ClusterList x -> x.ids().forEach(id -> v.bytes(id.toBytes()));
            case MpReach x -> MpCodec.write(v, x);
            case MpUnreach x -> MpCodec.write(v, x);
            case As4Path x -> AsPathCodec.writeSegments(v, x.segments(), true);
            case As4Aggregator x -> v.u32(x.asn()).bytes(x.address().toBytes());
            case Unknown x -> {
                v.bytes(x.value());
                return x.flags();
            }
        }
        return a.expectedFlags();
    }
}
