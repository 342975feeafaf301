package io.podnet.bgp.message;

import static io.podnet.bgp.message.BgpError.*;
import static io.podnet.bgp.message.ErrorHandling.*;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/**
 * UPDATE body codec (RFC 4271 §4.3) with RFC 7606 revised error handling: attribute errors are collected
 * while parsing continues, and the most severe treatment is thrown at the end together with what can be
 * salvaged (RFC 7606 §3.h); an UPDATE without reachable NLRI escalates to a session reset (§5.2).
 */
final class UpdateCodec {
    private UpdateCodec() {}

    static UpdateMessage decode(ByteReader r, CodecOptions o) throws MalformedMessageException {
        // RFC 7606 §4: inconsistent Withdrawn Routes Length / Total Path Attribute Length reset the session.
        int wlen = r.u16();
        if (wlen > r.remaining() - 2) throw new MalformedMessageException(MALFORMED_ATTRIBUTE_LIST, SESSION_RESET, new byte[0]);
        List<IpPrefix> withdrawn = new ArrayList<>(Math.min(wlen, 4096) / 4); // a /24 takes 4 bytes
        // RFC 7606 §5.3: a syntactically incorrect prefix field resets the session.
        PrefixCodec.readAll(r.slice(wlen, INVALID_NETWORK_FIELD, SESSION_RESET), IpFamily.V4, withdrawn,
                INVALID_NETWORK_FIELD, SESSION_RESET);
        int alen = r.u16();
        if (alen > r.remaining()) throw new MalformedMessageException(MALFORMED_ATTRIBUTE_LIST, SESSION_RESET, new byte[0]);
        ByteReader attrs = r.slice(alen, MALFORMED_ATTRIBUTE_LIST, TREAT_AS_WITHDRAW);
        List<IpPrefix> nlri = new ArrayList<>(Math.min(r.remaining(), 65536) / 4);
        PrefixCodec.readAll(r, IpFamily.V4, nlri, INVALID_NETWORK_FIELD, SESSION_RESET);
        Problems problems = new Problems();
        Seen seen = new Seen();
        List<PathAttribute> list = readAttributes(attrs, o, problems, seen);
        checkMandatory(list, nlri, problems);
        UpdateMessage u = new UpdateMessage(withdrawn, list, nlri);
        if (!problems.any()) return u;
        MalformedMessageException worst = problems.worst();
        // RFC 7606 §5.2: path attributes (other than MP_UNREACH_NLRI) without any reachable NLRI mean the NLRI
        // may not have been parsed right: any error but attribute discard then resets the session.
        if (worst.handling() != ATTRIBUTE_DISCARD && nlri.isEmpty() && !seen.reachableMp && seen.otherThanMpUnreach) {
            throw worst.withHandling(SESSION_RESET);
        }
        UpdateMessage salvaged = switch (worst.handling()) {
            case TREAT_AS_WITHDRAW -> asWithdraw(u);
            case AFI_SAFI_DISABLE -> problems.withdraw() ? asWithdraw(u) : u;
            case ATTRIBUTE_DISCARD, SESSION_RESET -> u;
        };
        throw worst.withSalvaged(salvaged);
    }

    /** What the attribute field held, for the RFC 7606 §5.2 check. */
    private static final class Seen {
        /** An MP_REACH_NLRI that carries prefixes, or one that could not be read (its NLRI are unknown). */
        boolean reachableMp;
        /** Any attribute other than MP_UNREACH_NLRI, readable or not. */
        boolean otherThanMpUnreach;
    }

    private static List<PathAttribute> readAttributes(ByteReader r, CodecOptions o, Problems problems, Seen seen)
            throws MalformedMessageException {
        List<PathAttribute> out = new ArrayList<>(8);
        long seen0 = 0, seen1 = 0, seen2 = 0, seen3 = 0;
        while (r.remaining() > 0) {
            int start = r.position();
            // RFC 7606 §4: a header or value that overruns the attribute field is treat-as-withdraw.
            if (r.remaining() < 3) { seen.otherThanMpUnreach = true; problems.add(overrun()); break; }
            int flags = r.u8();
            int type = r.u8();
            if (type != PathAttribute.MP_UNREACH_NLRI) seen.otherThanMpUnreach = true;
            boolean ext = (flags & PathAttribute.FLAG_EXTENDED_LENGTH) != 0;
            if (ext && r.remaining() < 2) { problems.add(overrun()); break; }
            int len = ext ? r.u16() : r.u8();
            if (len > r.remaining()) {
                problems.add(new MalformedMessageException(ATTRIBUTE_LENGTH_ERROR, TREAT_AS_WITHDRAW, new byte[0]));
                break;
            }
            ByteReader value = r.slice(len, ATTRIBUTE_LENGTH_ERROR, TREAT_AS_WITHDRAW);
            long bit = 1L << (type & 63);
            long was = switch (type >>> 6) { case 0 -> seen0; case 1 -> seen1; case 2 -> seen2; default -> seen3; };
            if ((was & bit) != 0) {
                // RFC 7606 §3.g: repeated MP_REACH/MP_UNREACH reset the session; other repeats are discarded.
                if (type == PathAttribute.MP_REACH_NLRI || type == PathAttribute.MP_UNREACH_NLRI) {
                    throw new MalformedMessageException(MALFORMED_ATTRIBUTE_LIST, SESSION_RESET, new byte[0]);
                }
                continue;
            }
            switch (type >>> 6) { case 0 -> seen0 |= bit; case 1 -> seen1 |= bit; case 2 -> seen2 |= bit; default -> seen3 |= bit; }
            byte[] raw = copy(r.array(), start, r.position() - start);
            try {
                PathAttribute a = AttributeCodec.decode(flags, type, value, raw, o, problems);
                if (a != null) out.add(a);
                if (type == PathAttribute.MP_REACH_NLRI) seen.reachableMp |= !(a instanceof PathAttribute.MpReach m) || !m.nlri().isEmpty();
            } catch (MalformedMessageException e) {
                if (type == PathAttribute.MP_REACH_NLRI) seen.reachableMp = true;
                problems.add(e);
            }
        }
        return out;
    }

    private static MalformedMessageException overrun() {
        return new MalformedMessageException(MALFORMED_ATTRIBUTE_LIST, TREAT_AS_WITHDRAW, new byte[0]);
    }

    private static byte[] copy(byte[] a, int off, int n) {
        byte[] b = new byte[n];
        System.arraycopy(a, off, b, 0, n);
        return b;
    }

    /**
     * RFC 4271 §6.3 / RFC 7606 §3.d: ORIGIN and AS_PATH are required when the UPDATE carries reachable NLRI,
     * NEXT_HOP when it carries IPv4 NLRI in the NLRI field. Missing ones are treat-as-withdraw.
     */
    private static void checkMandatory(List<PathAttribute> attrs, List<IpPrefix> nlri, Problems problems)
            throws MalformedMessageException {
        boolean mp = false, origin = false, asPath = false, nextHop = false;
        for (PathAttribute a : attrs) {
            switch (a.typeCode()) {
                case PathAttribute.MP_REACH_NLRI -> mp |= a instanceof PathAttribute.MpReach;
                case PathAttribute.ORIGIN -> origin = true;
                case PathAttribute.AS_PATH -> asPath = true;
                case PathAttribute.NEXT_HOP -> nextHop = true;
                default -> { }
            }
        }
        if (nlri.isEmpty() && !mp) return;
        int missing = !origin ? PathAttribute.ORIGIN : !asPath ? PathAttribute.AS_PATH
                : (!nlri.isEmpty() && !nextHop) ? PathAttribute.NEXT_HOP : 0;
        if (missing != 0) {
            problems.add(new MalformedMessageException(MISSING_WELL_KNOWN_ATTRIBUTE, TREAT_AS_WITHDRAW, new byte[] {(byte) missing}));
        }
    }

    /** RFC 7606 §2 treat-as-withdraw: every prefix the UPDATE announced or withdrew becomes a withdrawal. */
    static UpdateMessage asWithdraw(UpdateMessage u) {
        List<IpPrefix> v4 = new ArrayList<>(u.withdrawn());
        v4.addAll(u.nlri());
        List<PathAttribute> mp = new ArrayList<>();
        for (PathAttribute a : u.attributes()) {
            if (a instanceof PathAttribute.MpReach r) mp.add(new PathAttribute.MpUnreach(r.family(), r.nlri()));
            if (a instanceof PathAttribute.MpUnreach w) mp.add(w);
        }
        return new UpdateMessage(v4, mp, List.of());
    }

    static void encode(ByteWriter w, UpdateMessage u, CodecOptions o) {
        int at = w.size();
        w.u16(0);
        for (IpPrefix p : u.withdrawn()) PrefixCodec.write(w, p);
        w.putU16(at, w.size() - at - 2);
        at = w.size();
        w.u16(0);
        for (PathAttribute a : u.attributes()) AttributeCodec.encode(w, a, o);
        w.putU16(at, w.size() - at - 2);
        for (IpPrefix p : u.nlri()) PrefixCodec.write(w, p);
    }
}
