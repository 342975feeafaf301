package io.podnet.overlay.udp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * TCP segmentation offload done in userspace (what a NIC does with a TSO super-packet, RFC 7414's "TSO";
 * Linux {@code tcp_gso_segment}): a TCP/IPv4 packet of up to 64 KiB that the kernel handed over with
 * {@code gso_type TCPV4} and {@code gso_size = MSS} is cut into MSS-sized segments. Segment {@code k} gets a
 * copy of the IPv4 and TCP headers (options included) with: IPv4 total length, identification {@code id + k},
 * header checksum; TCP sequence number {@code seq + k·MSS}; FIN and PSH only on the last segment, CWR only on
 * the first (RFC 3168 §6.1.2); and a complete TCP checksum over pseudo-header, header and payload. The payload
 * is not copied: segment {@code k}'s payload is the slice {@link #payloadOffset}/{@link #payloadLength} of the
 * super-packet. Also completes a partial ({@code NEEDS_CSUM}) checksum of a non-GSO packet. Pure and
 * allocation-free; offsets are relative to the segment passed in.
 */
final class TcpSegmenter {
    /** Largest IPv4 + TCP header: 60 + 60 bytes. */
    static final int MAX_HEADER = 120;
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int URG = 0x20;
    static final int ECE = 0x40;
    static final int CWR = 0x80;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private TcpSegmenter() {}

    /**
     * The TCP header length of an unfragmented TCP/IPv4 packet at {@code off} ({@code len} bytes read), or -1
     * when it is not one (not IPv4, not TCP, a fragment, headers beyond the IPv4 total length).
     */
    static int tcpHeaderLength(MemorySegment p, long off, int len) {
        if (!Ipv4Packet.isValidIpv4(p, off, len)) return -1;
        if ((p.get(ValueLayout.JAVA_BYTE, off + 9) & 0xff) != Checksum.PROTO_TCP) return -1;
        if ((p.get(U16, off + 6) & 0x3fff) != 0) return -1; // MF set or a fragment offset
        int ihl = ipHeaderLength(p, off);
        int total = p.get(U16, off + 2) & 0xffff;
        if (ihl + 20 > total) return -1;
        int thl = ((p.get(ValueLayout.JAVA_BYTE, off + ihl + 12) & 0xff) >>> 4) * 4;
        return thl < 20 || ihl + thl > total ? -1 : thl;
    }

    static int ipHeaderLength(MemorySegment p, long off) {
        return (p.get(ValueLayout.JAVA_BYTE, off) & 0x0f) * 4;
    }

    static int totalLength(MemorySegment p, long off) {
        return p.get(U16, off + 2) & 0xffff;
    }

    /** Number of segments a super-packet with {@code payload} TCP payload bytes yields at {@code mss}. */
    static int segmentCount(int payload, int mss) {
        return payload <= 0 ? 1 : (payload + mss - 1) / mss;
    }

    /** Offset (relative to the packet start) of segment {@code k}'s payload. */
    static int payloadOffset(int headerLen, int mss, int k) {
        return headerLen + k * mss;
    }

    /** Payload length of segment {@code k}. */
    static int payloadLength(int payload, int mss, int k) {
        return Math.min(mss, payload - k * mss);
    }

    /**
     * Writes the IPv4 + TCP header of segment {@code k} of the super-packet at {@code p + off} to
     * {@code out + outOff}, with both checksums complete (the TCP one covers the segment's payload slice of the
     * super-packet). {@code ihl}/{@code thl} come from {@link #tcpHeaderLength}; {@code payload} is the
     * super-packet's TCP payload length (IPv4 total length − headers). Returns the header length.
     */
    static int writeSegmentHeader(MemorySegment p, long off, int ihl, int thl, int payload, int mss, int k,
                                  MemorySegment out, long outOff) {
        int hl = ihl + thl;
        int start = k * mss;
        int segLen = Math.min(mss, payload - start);
        MemorySegment.copy(p, off, out, outOff, hl);
        out.set(U16, outOff + 2, (short) (hl + segLen));
        out.set(U16, outOff + 4, (short) ((p.get(U16, off + 4) & 0xffff) + k));
        Checksum.setIpv4Header(out, outOff, ihl);
        long tcp = outOff + ihl;
        out.set(U32, tcp + 4, p.get(U32, off + ihl + 4) + start);
        int flags = p.get(ValueLayout.JAVA_BYTE, off + ihl + 13) & 0xff;
        if (start + segLen < payload) flags &= ~(FIN | PSH);
        if (k > 0) flags &= ~CWR;
        out.set(ValueLayout.JAVA_BYTE, tcp + 13, (byte) flags);
        out.set(U16, tcp + 16, (short) 0);
        long acc = Checksum.pseudoHeader(out, outOff, Checksum.PROTO_TCP, thl + segLen);
        acc = Checksum.add(out, tcp, thl, acc);
        acc = Checksum.add(p, off + hl + start, segLen, acc);
        out.set(U16, tcp + 16, (short) ~Checksum.fold(acc));
        return hl;
    }

    /**
     * Completes a partial checksum ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}): the 16-bit field at
     * {@code csumStart + csumOffset} holds the pseudo-header sum; the one's complement of the sum from
     * {@code csumStart} to {@code len} is stored there (0 as 0xffff, as Linux' {@code skb_checksum_help}).
     * Returns false, leaving the packet alone, if the offsets lie outside the packet.
     */
    static boolean completeChecksum(MemorySegment p, long off, int len, int csumStart, int csumOffset) {
        if (csumStart + csumOffset + 2 > len || (csumOffset & 1) != 0) return false;
        int c = ~Checksum.fold(Checksum.add(p, off + csumStart, len - csumStart, 0)) & 0xffff;
        p.set(U16, off + csumStart + csumOffset, (short) (c == 0 ? 0xffff : c));
        return true;
    }

    /** True if the TCP checksum of the packet at {@code off} (IPv4 header {@code ihl}) verifies. */
    static boolean tcpChecksumValid(MemorySegment p, long off, int ihl, int total) {
        long acc = Checksum.pseudoHeader(p, off, Checksum.PROTO_TCP, total - ihl);
        return Checksum.fold(Checksum.add(p, off + ihl, total - ihl, acc)) == 0xffff;
    }
}
