package io.podnet.overlay.udp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@code struct virtio_net_hdr} (virtio spec §5.1.6 "Device Operation"; Linux {@code
 * include/uapi/linux/virtio_net.h}): the 10-byte header a TUN fd opened with {@code IFF_VNET_HDR} puts before
 * every packet, in both directions. Fields are little-endian (the TUN default on a little-endian host):
 * {@code u8 flags, u8 gso_type, u16 hdr_len, u16 gso_size, u16 csum_start, u16 csum_offset}.
 * Static accessors on a segment and offset; no allocation.
 */
final class VirtioNetHdr {
    /** sizeof(struct virtio_net_hdr); also the value given to {@code TUNSETVNETHDRSZ}. */
    static final int SIZE = 10;
    /** The checksum from {@code csum_start} to the end still has to be computed and stored at
     * {@code csum_start + csum_offset}; the field holds the pseudo-header sum. */
    static final int F_NEEDS_CSUM = 1;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    /** Flag bit on gso_type: the super-packet had CWR set (ECN, RFC 3168); only the first segment keeps it. */
    static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VirtioNetHdr() {}

    static int flags(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off) & 0xff; }

    static int gsoType(MemorySegment s, long off) { return s.get(ValueLayout.JAVA_BYTE, off + 1) & 0xff; }

    static int hdrLen(MemorySegment s, long off) { return s.get(LE16, off + 2) & 0xffff; }

    static int gsoSize(MemorySegment s, long off) { return s.get(LE16, off + 4) & 0xffff; }

    static int csumStart(MemorySegment s, long off) { return s.get(LE16, off + 6) & 0xffff; }

    static int csumOffset(MemorySegment s, long off) { return s.get(LE16, off + 8) & 0xffff; }

    /** Writes all five fields. */
    static void set(MemorySegment s, long off, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
                    int csumOffset) {
        s.set(ValueLayout.JAVA_BYTE, off, (byte) flags);
        s.set(ValueLayout.JAVA_BYTE, off + 1, (byte) gsoType);
        s.set(LE16, off + 2, (short) hdrLen);
        s.set(LE16, off + 4, (short) gsoSize);
        s.set(LE16, off + 6, (short) csumStart);
        s.set(LE16, off + 8, (short) csumOffset);
    }

    /** A header saying "plain packet, checksums complete" (all zero). */
    static void setNone(MemorySegment s, long off) {
        s.asSlice(off, SIZE).fill((byte) 0);
    }
}
