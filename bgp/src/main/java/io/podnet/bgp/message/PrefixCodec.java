package io.podnet.bgp.message;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.List;

/**
 * The (Length, Prefix) NLRI encoding shared by the UPDATE NLRI and Withdrawn Routes fields (RFC 4271 §4.3)
 * and by MP_REACH/MP_UNREACH (RFC 4760 §5). Host bits past the length are cleared, as RFC 4271 §4.3 says
 * trailing bits are irrelevant.
 */
final class PrefixCodec {
    private PrefixCodec() {}

    /** Reads prefixes until the reader is empty; a bad length or overrun throws {@code error}/{@code handling}. */
    static void readAll(ByteReader r, IpFamily family, List<IpPrefix> out, BgpError error, ErrorHandling handling)
            throws MalformedMessageException {
        while (r.remaining() > 0) {
            int len = r.u8();
            if (len > family.bits()) throw new MalformedMessageException(error, handling, new byte[0]);
            int n = (len + 7) >>> 3;
            if (r.remaining() < n) throw new MalformedMessageException(error, handling, new byte[0]);
            out.add(family == IpFamily.V4 ? readV4(r, len, n) : readV6(r, len, n));
        }
    }

    private static IpPrefix readV4(ByteReader r, int len, int n) throws MalformedMessageException {
        int v = 0;
        for (int i = 0; i < 4; i++) v = (v << 8) | (i < n ? r.u8() : 0);
        return new IpPrefix(IpAddress.v4(len == 0 ? 0 : v & (-1 << (32 - len))), len); // host bits cleared
    }

    private static IpPrefix readV6(ByteReader r, int len, int n) throws MalformedMessageException {
        long hi = 0, lo = 0;
        for (int i = 0; i < 16; i++) {
            long b = i < n ? r.u8() : 0;
            if (i < 8) hi = (hi << 8) | b;
            else lo = (lo << 8) | b;
        }
        return IpPrefix.of(new IpAddress(IpFamily.V6, hi, lo), len);
    }

    static void write(ByteWriter w, IpPrefix p) {
        int len = p.length();
        w.u8(len);
        IpAddress a = p.address();
        int n = (len + 7) >>> 3;
        for (int i = 0; i < n; i++) {
            long word = a.isV4() ? a.lo() << 32 : i < 8 ? a.hi() : a.lo();
            w.u8((int) (word >>> (56 - 8 * (i & 7))) & 0xff);
        }
    }

    static int encodedSize(IpPrefix p) { return 1 + ((p.length() + 7) >>> 3); }
}
