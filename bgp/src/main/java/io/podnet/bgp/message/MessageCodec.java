package io.podnet.bgp.message;

import static io.podnet.bgp.message.BgpError.*;
import static io.podnet.bgp.message.ErrorHandling.SESSION_RESET;

import io.podnet.net.IpAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bytes ⇄ {@link BgpMessage}. Pure: no I/O, no threads, no logging. {@link #decode} throws only
 * {@link MalformedMessageException}.
 * <pre>
 *  header (RFC 4271 §4.1): 16 x 0xff marker | length u16 | type u8
 *  body by type: OPEN §4.2, UPDATE §4.3 ({@link UpdateCodec}), NOTIFICATION §4.5, KEEPALIVE §4.4,
 *                ROUTE-REFRESH (RFC 2918 §3)
 * </pre>
 */
public final class MessageCodec {
    public static final int HEADER_LENGTH = 19;
    public static final int MAX_LENGTH = 4096;

    private MessageCodec() {}

    /**
     * Checks the marker and length of a header (the first 19 bytes at {@code off}) and returns the total
     * message length (RFC 4271 §6.1).
     */
    public static int frameLength(byte[] b, int off, CodecOptions o) throws MalformedMessageException {
        if (b.length - off < HEADER_LENGTH) throw new MalformedMessageException(BAD_MESSAGE_LENGTH, SESSION_RESET, new byte[0]);
        for (int i = 0; i < 16; i++) {
            if (b[off + i] != (byte) 0xff) throw new MalformedMessageException(CONNECTION_NOT_SYNCHRONIZED, SESSION_RESET, new byte[0]);
        }
        int len = ((b[off + 16] & 0xff) << 8) | (b[off + 17] & 0xff);
        int type = b[off + 18] & 0xff;
        // RFC 8654 §4: OPEN and KEEPALIVE stay within 4096 even when extended messages are negotiated.
        int max = (type == BgpMessage.TYPE_OPEN || type == BgpMessage.TYPE_KEEPALIVE) ? MAX_LENGTH : o.maxMessageSize();
        if (len < HEADER_LENGTH || len > max) {
            throw new MalformedMessageException(BAD_MESSAGE_LENGTH, SESSION_RESET, new byte[] {b[off + 16], b[off + 17]});
        }
        return len;
    }

    /** Decodes one whole message (header included); trailing bytes beyond the length field are an error. */
    public static BgpMessage decode(byte[] b, CodecOptions o) throws MalformedMessageException {
        int len = frameLength(b, 0, o);
        byte[] lenField = {b[16], b[17]};
        if (len != b.length) throw new MalformedMessageException(BAD_MESSAGE_LENGTH, SESSION_RESET, lenField);
        int type = b[18] & 0xff;
        ByteReader r = new ByteReader(b, HEADER_LENGTH, len - HEADER_LENGTH, BAD_MESSAGE_LENGTH, SESSION_RESET);
        return switch (type) {
            case BgpMessage.TYPE_OPEN -> {
                if (len < 29) throw new MalformedMessageException(BAD_MESSAGE_LENGTH, SESSION_RESET, lenField);
                yield OpenCodec.decode(r);
            }
            case BgpMessage.TYPE_UPDATE -> {
                if (len < 23) throw new MalformedMessageException(BAD_MESSAGE_LENGTH, SESSION_RESET, lenField);
                yield UpdateCodec.decode(r, o);
            }
            case BgpMessage.TYPE_NOTIFICATION -> {
                if (len < 21) throw new MalformedMessageException(BAD_MESSAGE_LENGTH, SESSION_RESET, lenField);
                yield new NotificationMessage(r.u8(), r.u8(), r.bytes(r.remaining()));
            }
            case BgpMessage.TYPE_KEEPALIVE -> {
                if (len != HEADER_LENGTH) throw new MalformedMessageException(BAD_MESSAGE_LENGTH, SESSION_RESET, lenField);
                yield KeepaliveMessage.INSTANCE;
            }
            case BgpMessage.TYPE_ROUTE_REFRESH -> routeRefresh(b, len, r);
            default -> throw new MalformedMessageException(BAD_MESSAGE_TYPE, SESSION_RESET, new byte[] {(byte) type});
        };
    }

    /**
     * ROUTE-REFRESH (RFC 2918 §3, RFC 7313 §3). RFC 7313 §5: a BoRR or EoRR (subtype 1, 2) whose body is not
     * 4 octets is "Invalid Message Length" with the whole message as data; so is any body too short to hold
     * AFI, subtype and SAFI. A longer subtype-0 request carries ORF entries (RFC 5291), which this speaker does
     * not negotiate: they are ignored and the request is served. Other subtypes decode as they are; the session
     * ignores them (RFC 7313 §5).
     */
    private static RouteRefreshMessage routeRefresh(byte[] b, int len, ByteReader r) throws MalformedMessageException {
        int subtype = len >= 22 ? b[21] & 0xff : -1;
        boolean borrOrEorr = subtype == RouteRefreshMessage.BORR || subtype == RouteRefreshMessage.EORR;
        if (len < 23 || (borrOrEorr && len != 23)) {
            throw new MalformedMessageException(ROUTE_REFRESH_INVALID_LENGTH, SESSION_RESET, Arrays.copyOf(b, len));
        }
        int afi = r.u16();
        r.skip(1);
        return new RouteRefreshMessage(new AfiSafi(afi, r.u8()), subtype);
    }

    /** Encodes a message with its header. Throws IllegalArgumentException if it exceeds the size limit. */
    public static byte[] encode(BgpMessage m, CodecOptions o) {
        // an UPDATE's prefixes dominate its size (5 bytes for up to a /32): size the buffer once
        ByteWriter w = new ByteWriter(m instanceof UpdateMessage u ? 128 + 5 * (u.nlri().size() + u.withdrawn().size()) : 64);
        for (int i = 0; i < 16; i++) w.u8(0xff);
        w.u16(0).u8(m.type());
        switch (m) {
            case OpenMessage x -> OpenCodec.encode(w, x);
            case UpdateMessage x -> UpdateCodec.encode(w, x, o);
            case NotificationMessage x -> w.u8(x.code()).u8(x.subcode()).bytes(x.data());
            case KeepaliveMessage _ -> { }
            case RouteRefreshMessage x -> w.u16(x.family().afi()).u8(x.subtype()).u8(x.family().safi());
        }
        int max = m instanceof OpenMessage || m instanceof KeepaliveMessage ? MAX_LENGTH : o.maxMessageSize();
        if (w.size() > max) throw new IllegalArgumentException("message of " + w.size() + " bytes exceeds " + max);
        w.putU16(16, w.size());
        return w.toByteArray();
    }

    /** OPEN body and capabilities (RFC 4271 §4.2, RFC 5492 §4). */
    static final class OpenCodec {
        private OpenCodec() {}

        static OpenMessage decode(ByteReader r) throws MalformedMessageException {
            int version = r.u8();
            // RFC 4271 §6.2: data is the largest supported version as a 2-octet value.
            if (version != 4) throw new MalformedMessageException(UNSUPPORTED_VERSION_NUMBER, SESSION_RESET, new byte[] {0, 4});
            int myAs = r.u16();
            int hold = r.u16();
            if (hold == 1 || hold == 2) throw new MalformedMessageException(UNACCEPTABLE_HOLD_TIME, SESSION_RESET, new byte[0]);
            IpAddress id = IpAddress.v4((int) r.u32());
            int optLen = r.u8();
            if (optLen != r.remaining()) throw new MalformedMessageException(OPEN_MESSAGE_ERROR, SESSION_RESET, new byte[0]);
            List<Capability> caps = new ArrayList<>();
            while (r.remaining() > 0) {
                if (r.remaining() < 2) throw new MalformedMessageException(OPEN_MESSAGE_ERROR, SESSION_RESET, new byte[0]);
                int ptype = r.u8();
                int plen = r.u8();
                ByteReader p = r.slice(plen, OPEN_MESSAGE_ERROR, SESSION_RESET);
                // RFC 5492 §4: capabilities are optional parameter 2; others are unsupported (RFC 4271 §6.2).
                if (ptype != 2) throw new MalformedMessageException(UNSUPPORTED_OPTIONAL_PARAMETER, SESSION_RESET, new byte[0]);
                while (p.remaining() > 0) caps.add(capability(p));
            }
            return new OpenMessage(version, myAs, hold, id, caps);
        }

        private static Capability capability(ByteReader p) throws MalformedMessageException {
            int code = p.u8();
            int len = p.u8();
            ByteReader v = p.slice(len, OPEN_MESSAGE_ERROR, SESSION_RESET);
            return switch (code) {
                case Capability.MULTIPROTOCOL -> {
                    exact(len, 4);
                    int afi = v.u16();
                    v.skip(1);
                    yield new Capability.Multiprotocol(new AfiSafi(afi, v.u8()));
                }
                case Capability.ROUTE_REFRESH -> { exact(len, 0); yield new Capability.RouteRefresh(); }
                case Capability.EXTENDED_MESSAGE -> { exact(len, 0); yield new Capability.ExtendedMessage(); }
                case Capability.ENHANCED_ROUTE_REFRESH -> { exact(len, 0); yield new Capability.EnhancedRouteRefresh(); }
                case Capability.FOUR_OCTET_AS -> { exact(len, 4); yield new Capability.FourOctetAs(v.u32()); }
                case Capability.GRACEFUL_RESTART -> gracefulRestart(v, len);
                default -> new Capability.Unknown(code, v.bytes(len));
            };
        }

        private static void exact(int len, int want) throws MalformedMessageException {
            if (len != want) throw new MalformedMessageException(OPEN_MESSAGE_ERROR, SESSION_RESET, new byte[0]);
        }

        /** RFC 4724 §3: Restart Flags (4 bits) + Restart Time (12 bits), then (AFI, SAFI, flags) tuples. */
        private static Capability gracefulRestart(ByteReader v, int len) throws MalformedMessageException {
            if (len < 2 || (len - 2) % 4 != 0) throw new MalformedMessageException(OPEN_MESSAGE_ERROR, SESSION_RESET, new byte[0]);
            int word = v.u16();
            List<Capability.GrFamily> fams = new ArrayList<>();
            while (v.remaining() > 0) {
                int afi = v.u16();
                int safi = v.u8();
                fams.add(new Capability.GrFamily(new AfiSafi(afi, safi), (v.u8() & 0x80) != 0));
            }
            return new Capability.GracefulRestart((word & 0x8000) != 0, (word & 0x4000) != 0, word & 0x0fff, fams);
        }

        static void encode(ByteWriter w, OpenMessage m) {
            w.u8(m.version()).u16(m.myAs()).u16(m.holdTime()).bytes(m.bgpId().toBytes());
            if (m.capabilities().isEmpty()) {
                w.u8(0);
                return;
            }
            int optAt = w.size();
            w.u8(0).u8(2).u8(0);
            for (Capability c : m.capabilities()) writeCapability(w, c);
            int plen = w.size() - optAt - 3;
            if (plen > 255) throw new IllegalArgumentException("capabilities exceed one optional parameter");
            w.toByteArray(); // no-op keeps the writer's API small
            byte[] fix = {(byte) (plen + 2), 2, (byte) plen};
            patch(w, optAt, fix);
        }

        private static void patch(ByteWriter w, int at, byte[] bytes) {
            int end = w.size();
            w.truncate(at);
            w.bytes(bytes);
            w.truncate(end);
        }

        private static void writeCapability(ByteWriter w, Capability c) {
            switch (c) {
                case Capability.Multiprotocol x -> w.u8(c.code()).u8(4).u16(x.family().afi()).u8(0).u8(x.family().safi());
                case Capability.RouteRefresh _ -> w.u8(c.code()).u8(0);
                case Capability.ExtendedMessage _ -> w.u8(c.code()).u8(0);
                case Capability.EnhancedRouteRefresh _ -> w.u8(c.code()).u8(0);
                case Capability.FourOctetAs x -> w.u8(c.code()).u8(4).u32(x.asn());
                case Capability.GracefulRestart x -> {
                    w.u8(c.code()).u8(2 + 4 * x.families().size());
                    w.u16((x.restartState() ? 0x8000 : 0) | (x.notification() ? 0x4000 : 0) | x.restartTime());
                    for (Capability.GrFamily f : x.families()) {
                        w.u16(f.family().afi()).u8(f.family().safi()).u8(f.forwardingPreserved() ? 0x80 : 0);
                    }
                }
                case Capability.Unknown x -> w.u8(x.code()).u8(x.value().length).bytes(x.value());
            }
        }
    }
}
