package io.podnet.overlay.udp;

import java.nio.ByteBuffer;

/**
 * Test fixture: builds TCP/IPv4 and UDP/IPv4 packets byte by byte with checksums from a deliberately naive
 * reference implementation (a 16-bit word loop over a byte array, RFC 1071 §4.1), independent of
 * {@link Checksum}.
 */
final class TcpPackets {
    static final int SRC = 0x0a050100; // 10.5.1.0
    static final int DST = 0x0a050201; // 10.5.2.1

    private TcpPackets() {}

    /** Reference one's-complement sum over {@code len} bytes from {@code off}, folded, not complemented. */
    static int sum(byte[] b, int off, int len, int initial) {
        long s = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            s += (hi << 8) | lo;
        }
        while ((s >> 16) != 0) s = (s & 0xffff) + (s >> 16);
        return (int) s;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static long u32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).getInt() & 0xffffffffL;
    }

    static int pseudo(byte[] ip, int proto, int l4len) {
        return sum(ip, 12, 8, proto + l4len);
    }

    /** True if the IPv4 header checksum verifies. */
    static boolean ipChecksumOk(byte[] p) {
        return sum(p, 0, (p[0] & 0xf) * 4, 0) == 0xffff;
    }

    /** True if the TCP or UDP checksum verifies. */
    static boolean l4ChecksumOk(byte[] p) {
        int ihl = (p[0] & 0xf) * 4;
        int total = u16(p, 2);
        return sum(p, ihl, total - ihl, pseudo(p, p[9], total - ihl)) == 0xffff;
    }

    /** Options: IPv4 options (multiple of 4 bytes) and TCP options (multiple of 4 bytes). */
    static byte[] tcp(byte[] ipOptions, byte[] tcpOptions, int flags, long seq, int id, byte[] payload) {
        int ihl = 20 + ipOptions.length;
        int thl = 20 + tcpOptions.length;
        int total = ihl + thl + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) (0x40 | ihl / 4)).put((byte) 0x02).putShort((short) total).putShort((short) id)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0).putInt(SRC).putInt(DST)
                .put(ipOptions);
        b.putShort((short) 40000).putShort((short) 5201).putInt((int) seq).putInt(0x11223344)
                .put((byte) ((thl / 4) << 4)).put((byte) flags).putShort((short) 502).putShort((short) 0)
                .putShort((short) 0).put(tcpOptions).put(payload);
        byte[] p = b.array();
        fixChecksums(p);
        return p;
    }

    /** Recomputes the IPv4 header checksum and the TCP checksum of {@code p} (reference implementation). */
    static void fixChecksums(byte[] p) {
        int ihl = (p[0] & 0xf) * 4;
        int total = u16(p, 2);
        p[10] = 0;
        p[11] = 0;
        int ipc = ~sum(p, 0, ihl, 0) & 0xffff;
        p[10] = (byte) (ipc >> 8);
        p[11] = (byte) ipc;
        p[ihl + 16] = 0;
        p[ihl + 17] = 0;
        int c = ~sum(p, ihl, total - ihl, pseudo(p, 6, total - ihl)) & 0xffff;
        p[ihl + 16] = (byte) (c >> 8);
        p[ihl + 17] = (byte) c;
    }

    /** A UDP/IPv4 packet whose UDP checksum field holds only the pseudo-header sum (as with NEEDS_CSUM). */
    static byte[] udpPartial(byte[] payload) {
        int total = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 7).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).putInt(SRC).putInt(DST);
        b.putShort((short) 5353).putShort((short) 9999).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
        byte[] p = b.array();
        int ipc = ~sum(p, 0, 20, 0) & 0xffff;
        p[10] = (byte) (ipc >> 8);
        p[11] = (byte) ipc;
        int seed = pseudo(p, 17, 8 + payload.length);
        p[26] = (byte) (seed >> 8);
        p[27] = (byte) seed;
        return p;
    }

    /** Timestamp option padded with two NOPs (what Linux sends on every segment). */
    static byte[] timestamps(int tsval, int tsecr) {
        return ByteBuffer.allocate(12).put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt(tsval)
                .putInt(tsecr).array();
    }
}
