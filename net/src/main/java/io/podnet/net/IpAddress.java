package io.podnet.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address held as a 128-bit unsigned number ({@code hi:lo}); IPv4 uses the low 32 bits.
 * Parsing accepts literals only and never resolves names.
 */
public record IpAddress(IpFamily family, long hi, long lo) implements Comparable<IpAddress> {

    public IpAddress {
        if (family == null) throw new IllegalArgumentException("family is required");
        if (family == IpFamily.V4 && (hi != 0 || (lo >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address out of range");
        }
    }

    public static IpAddress v4(int value) {
        return new IpAddress(IpFamily.V4, 0, value & 0xffff_ffffL);
    }

    /** Parses a literal such as {@code 10.0.0.1} or {@code fd00::1}; throws IllegalArgumentException otherwise. */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("empty IP address");
        String t = text.strip();
        if (t.indexOf(':') < 0 && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        try {
            return of(InetAddress.ofLiteral(t));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: " + text, e);
        }
    }

    public static IpAddress of(InetAddress a) {
        return ofBytes(a.getAddress());
    }

    /** From 4 or 16 network-order bytes. */
    public static IpAddress ofBytes(byte[] b) {
        return switch (b.length) {
            case 4 -> new IpAddress(IpFamily.V4, 0, toLong(b, 0, 4));
            case 16 -> new IpAddress(IpFamily.V6, toLong(b, 0, 8), toLong(b, 8, 8));
            default -> throw new IllegalArgumentException("IP address must be 4 or 16 bytes, got " + b.length);
        };
    }

    private static long toLong(byte[] b, int off, int len) {
        long v = 0;
        for (int i = 0; i < len; i++) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    public boolean isV4() { return family == IpFamily.V4; }

    public boolean isV6() { return family == IpFamily.V6; }

    /** Network-order bytes, 4 or 16 long. */
    public byte[] toBytes() {
        byte[] out = new byte[family.bytes()];
        if (isV4()) {
            for (int i = 0; i < 4; i++) out[i] = (byte) (lo >>> (24 - 8 * i));
        } else {
            for (int i = 0; i < 8; i++) {
                out[i] = (byte) (hi >>> (56 - 8 * i));
                out[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        }
        return out;
    }

    public InetAddress toInetAddress() {
        try {
            return InetAddress.getByAddress(toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The IPv4 value as a signed int (network order interpreted big-endian). */
    public int v4Int() {
        if (!isV4()) throw new IllegalStateException("not IPv4: " + this);
        return (int) lo;
    }

    /** This address plus {@code n} (may be negative); throws if the result leaves the family's range. */
    public IpAddress add(long n) {
        if (isV4()) {
            long v = lo + n;
            if (v < 0 || v > 0xffff_ffffL) throw new IllegalArgumentException("address overflow: " + this + " + " + n);
            return new IpAddress(IpFamily.V4, 0, v);
        }
        long nlo = lo + n;
        long nhi = hi;
        if (n >= 0 && Long.compareUnsigned(nlo, lo) < 0) nhi++;
        if (n < 0 && Long.compareUnsigned(nlo, lo) > 0) nhi--;
        return new IpAddress(IpFamily.V6, nhi, nlo);
    }

    public IpAddress next() { return add(1); }

    /** Unsigned distance {@code other - this}, saturated to Long.MAX_VALUE. */
    public long distanceTo(IpAddress other) {
        if (family != other.family) throw new IllegalArgumentException("family mismatch");
        if (isV4()) return other.lo - lo;
        long dhi = other.hi - hi - (Long.compareUnsigned(other.lo, lo) < 0 ? 1 : 0);
        long dlo = other.lo - lo;
        if (dhi != 0 || dlo < 0) return dhi < 0 ? -1 : Long.MAX_VALUE;
        return dlo;
    }

    /** Bit {@code i} counted from the most significant bit (0) of the address. */
    boolean bit(int i) {
        if (isV4()) return ((lo >>> (31 - i)) & 1) != 0;
        return i < 64 ? ((hi >>> (63 - i)) & 1) != 0 : ((lo >>> (127 - i)) & 1) != 0;
    }

    /** This address with all bits after {@code prefixLength} cleared. */
    public IpAddress mask(int prefixLength) {
        checkLength(family, prefixLength);
        if (isV4()) {
            long m = prefixLength == 0 ? 0 : (0xffff_ffffL << (32 - prefixLength)) & 0xffff_ffffL;
            return new IpAddress(family, 0, lo & m);
        }
        long mhi = prefixLength >= 64 ? -1L : (prefixLength == 0 ? 0 : -1L << (64 - prefixLength));
        long mlo = prefixLength <= 64 ? 0 : (prefixLength == 128 ? -1L : -1L << (128 - prefixLength));
        return new IpAddress(family, hi & mhi, lo & mlo);
    }

    /** This address with all bits after {@code prefixLength} set (the last address of the prefix). */
    public IpAddress lastInPrefix(int prefixLength) {
        IpAddress m = mask(prefixLength);
        if (isV4()) {
            long host = prefixLength == 32 ? 0 : (1L << (32 - prefixLength)) - 1;
            return new IpAddress(family, 0, m.lo | host);
        }
        long hhi = prefixLength >= 64 ? 0 : (prefixLength == 0 ? -1L : (1L << (64 - prefixLength)) - 1);
        long hlo = prefixLength <= 64 ? -1L : (prefixLength == 128 ? 0 : (1L << (128 - prefixLength)) - 1);
        return new IpAddress(family, m.hi | hhi, m.lo | hlo);
    }

    static void checkLength(IpFamily family, int prefixLength) {
        if (prefixLength < 0 || prefixLength > family.bits()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + family);
        }
    }

    @Override
    public int compareTo(IpAddress o) {
        int c = family.compareTo(o.family);
        if (c != 0) return c;
        c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public String toString() {
        if (isV4()) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        return compressV6();
    }

    /** RFC 5952 text form: lower case, longest run of two or more zero groups compressed. */
    private String compressV6() {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
            g[4 + i] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
        }
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

}
