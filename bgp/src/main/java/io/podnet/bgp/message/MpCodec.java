package io.podnet.bgp.message;

import static io.podnet.bgp.message.BgpError.OPTIONAL_ATTRIBUTE_ERROR;
import static io.podnet.bgp.message.ErrorHandling.SESSION_RESET;

import io.podnet.bgp.message.PathAttribute.MpReach;
import io.podnet.bgp.message.PathAttribute.MpUnreach;
import io.podnet.bgp.message.PathAttribute.Unknown;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/**
 * MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4). RFC 7606 §5.3 and §7.11 list what makes one incorrect:
 * flags other than optional non-transitive, a length below 5 (MP_REACH) or 3 (MP_UNREACH), a next-hop length
 * the family does not allow, a prefix longer than the family's maximum, a last prefix overrunning the
 * attribute. Then the NLRI cannot be trusted, so treat-as-withdraw is impossible; the treatment is
 * "AFI/SAFI disable" (RFC 4760 §7) when the AFI/SAFI could be read, else session reset (RFC 7606 §3.j).
 * Families other than IPv4/IPv6 unicast decode as {@link Unknown} (the session ignores them).
 */
final class MpCodec {
    private MpCodec() {}

    static PathAttribute reach(int flags, ByteReader v, byte[] raw) throws MalformedMessageException {
        if (v.remaining() < 3) throw new MalformedMessageException(OPTIONAL_ATTRIBUTE_ERROR, SESSION_RESET, raw);
        int start = v.position();
        AfiSafi fam = new AfiSafi(v.u16(), v.u8());
        if (!fam.isSupported()) return unknown(flags, PathAttribute.MP_REACH_NLRI, v, start);
        if (!flagsOk(flags) || v.remaining() < 2) throw MalformedMessageException.disable(OPTIONAL_ATTRIBUTE_ERROR, fam, raw);
        IpFamily ip = ipFamily(fam);
        int nhLen = v.u8();
        // RFC 4760 §3 + RFC 2545 §3: 4 octets for IPv4 (no RFC 8950 extended next hop), 16 or 32 for IPv6
        boolean okLen = ip == IpFamily.V4 ? nhLen == 4 : (nhLen == 16 || nhLen == 32);
        if (!okLen || v.remaining() < nhLen + 1) throw MalformedMessageException.disable(OPTIONAL_ATTRIBUTE_ERROR, fam, raw);
        List<IpAddress> nhs = new ArrayList<>(2);
        for (int i = 0; i < nhLen / ip.bytes(); i++) nhs.add(IpAddress.ofBytes(v.bytes(ip.bytes())));
        v.skip(1); // Reserved (RFC 4760 §3)
        List<IpPrefix> nlri = new ArrayList<>();
        readPrefixes(v, ip, nlri, fam, raw);
        return new MpReach(fam, nhs, nlri);
    }

    static PathAttribute unreach(int flags, ByteReader v, byte[] raw) throws MalformedMessageException {
        if (v.remaining() < 3) throw new MalformedMessageException(OPTIONAL_ATTRIBUTE_ERROR, SESSION_RESET, raw);
        int start = v.position();
        AfiSafi fam = new AfiSafi(v.u16(), v.u8());
        if (!fam.isSupported()) return unknown(flags, PathAttribute.MP_UNREACH_NLRI, v, start);
        if (!flagsOk(flags)) throw MalformedMessageException.disable(OPTIONAL_ATTRIBUTE_ERROR, fam, raw);
        List<IpPrefix> withdrawn = new ArrayList<>();
        readPrefixes(v, ipFamily(fam), withdrawn, fam, raw);
        return new MpUnreach(fam, withdrawn);
    }

    /** RFC 7606 §5.3: the flags must be those of RFC 4760 (optional, non-transitive). */
    private static boolean flagsOk(int flags) {
        return (flags & (PathAttribute.FLAG_OPTIONAL | PathAttribute.FLAG_TRANSITIVE)) == PathAttribute.OPTIONAL_NON_TRANSITIVE;
    }

    private static IpFamily ipFamily(AfiSafi f) { return f.afi() == AfiSafi.AFI_IPV4 ? IpFamily.V4 : IpFamily.V6; }

    private static void readPrefixes(ByteReader v, IpFamily ip, List<IpPrefix> out, AfiSafi fam, byte[] raw)
            throws MalformedMessageException {
        try {
            PrefixCodec.readAll(v, ip, out, OPTIONAL_ATTRIBUTE_ERROR, SESSION_RESET);
        } catch (MalformedMessageException e) {
            throw MalformedMessageException.disable(OPTIONAL_ATTRIBUTE_ERROR, fam, raw);
        }
    }

    private static Unknown unknown(int flags, int type, ByteReader v, int start) throws MalformedMessageException {
        int consumed = v.position() - start;
        byte[] rest = v.bytes(v.remaining());
        byte[] all = new byte[consumed + rest.length];
        System.arraycopy(v.array(), start, all, 0, consumed);
        System.arraycopy(rest, 0, all, consumed, rest.length);
        return new Unknown(flags, type, all);
    }

    static void write(ByteWriter v, MpReach x) {
        v.u16(x.family().afi()).u8(x.family().safi());
        v.u8(x.nextHops().size() * x.nextHops().getFirst().family().bytes());
        x.nextHops().forEach(nh -> v.bytes(nh.toBytes()));
        v.u8(0);
        x.nlri().forEach(p -> PrefixCodec.write(v, p));
    }

    static void write(ByteWriter v, MpUnreach x) {
        v.u16(x.family().afi()).u8(x.family().safi());
        x.withdrawn().forEach(p -> PrefixCodec.write(v, p));
    }
}
