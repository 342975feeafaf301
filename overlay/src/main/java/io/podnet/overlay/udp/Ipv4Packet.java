package io.podnet.overlay.udp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Pure, allocation-free operations on an IPv4 packet held in a {@link MemorySegment} (RFC 791): validation,
 * destination lookup, the forwarding TTL decrement with an incremental header-checksum update (RFC 1624
 * eqn. 3), and building the ICMP destination-unreachable (net unreachable) error a router returns when it
 * has no route (RFC 792, RFC 1812 §4.3.2). No I/O, no threads, no logging.
 */
public final class Ipv4Packet {
    /** Minimum IPv4 header length (IHL 5). */
    public static final int MIN_HEADER = 20;
    /** ICMP header length for the error types used here. */
    public static final int ICMP_HEADER = 8;
    static final int PROTO_ICMP = 1;
    static final int ICMP_DEST_UNREACH = 3;
    static final int ICMP_NET_UNREACH = 0;
    /** TTL of the ICMP errors we originate (flannel's proxy uses a small value too). */
    static final int ICMP_TTL = 64;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Result codes of {@link #decrementTtl}. */
    public static final int TTL_OK = 0;
    public static final int TTL_EXPIRED = 1;

    private Ipv4Packet() {}

    /**
     * True if the first {@code len} bytes hold a plausible IPv4 packet: version 4, IHL ≥ 5, header within
     * {@code len}, and total length between the header length and {@code len}.
     */
    public static boolean isValidIpv4(MemorySegment p, int len) {
        return isValidIpv4(p, 0, len);
    }

    /** {@link #isValidIpv4(MemorySegment, int)} for a packet starting at {@code off}. */
    public static boolean isValidIpv4(MemorySegment p, long off, int len) {
        if (len < MIN_HEADER) return false;
        int vihl = p.get(ValueLayout.JAVA_BYTE, off) & 0xff;
        if ((vihl >>> 4) != 4) return false;
        int ihl = (vihl & 0x0f) * 4;
        if (ihl < MIN_HEADER || ihl > len) return false;
        int total = u16(p, off + 2);
        return total >= ihl && total <= len;
    }

    /** IP version nibble of the first byte (4 or 6 for real packets); -1 for an empty packet. */
    public static int version(MemorySegment p, int len) {
        return len < 1 ? -1 : (p.get(ValueLayout.JAVA_BYTE, 0) & 0xff) >>> 4;
    }

    public static int headerLength(MemorySegment p) {
        return (p.get(ValueLayout.JAVA_BYTE, 0) & 0x0f) * 4;
    }

    public static int totalLength(MemorySegment p) {
        return u16(p, 2);
    }

    public static int ttl(MemorySegment p) {
        return p.get(ValueLayout.JAVA_BYTE, 8) & 0xff;
    }

    public static int protocol(MemorySegment p) {
        return p.get(ValueLayout.JAVA_BYTE, 9) & 0xff;
    }

    public static int checksum(MemorySegment p) {
        return u16(p, 10);
    }

    /** Source address as a big-endian int (10.0.0.1 = 0x0a000001). */
    public static int source(MemorySegment p) {
        return p.get(U32, 12);
    }

    /** Destination address as a big-endian int. */
    public static int destination(MemorySegment p) {
        return p.get(U32, 16);
    }

    /** Destination address of the packet starting at {@code off}, as a big-endian int. */
    public static int destination(MemorySegment p, long off) {
        return p.get(U32, off + 16);
    }

    /**
     * Decrements the TTL as a forwarding router does (RFC 791, RFC 1812 §5.3.1) and patches the header
     * checksum incrementally: {@code HC' = ~(~HC + ~m + m')} (RFC 1624 eqn. 3) where {@code m} is the 16-bit
     * word holding TTL and protocol. Returns {@link #TTL_EXPIRED} without touching the packet when the TTL is
     * 0 or 1 (the packet must be dropped), else {@link #TTL_OK}.
     */
    public static int decrementTtl(MemorySegment p) {
        return decrementTtl(p, 0);
    }

    /** {@link #decrementTtl(MemorySegment)} for a packet starting at {@code off}. */
    public static int decrementTtl(MemorySegment p, long off) {
        int ttl = p.get(ValueLayout.JAVA_BYTE, off + 8) & 0xff;
        if (ttl <= 1) return TTL_EXPIRED;
        int oldWord = u16(p, off + 8);
        int newWord = oldWord - 0x0100;
        int sum = (~u16(p, off + 10) & 0xffff) + (~oldWord & 0xffff) + newWord;
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        p.set(ValueLayout.JAVA_BYTE, off + 8, (byte) (ttl - 1));
        p.set(U16, off + 10, (short) (~sum & 0xffff));
        return TTL_OK;
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes from {@code off}: the one's complement of the sum. */
    public static int internetChecksum(MemorySegment p, long off, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) sum += p.get(U16, off + i) & 0xffff;
        if (i < len) sum += (p.get(ValueLayout.JAVA_BYTE, off + i) & 0xff) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) (~sum & 0xffff);
    }

    /**
     * Whether a router may answer this packet with an ICMP error (RFC 1812 §4.3.2.7): not for an ICMP error
     * message, not for a non-first fragment, not for a multicast, limited-broadcast or zero source or
     * destination. Assumes {@link #isValidIpv4}.
     */
    public static boolean mayAnswerWithIcmpError(MemorySegment p) {
        if ((u16(p, 6) & 0x1fff) != 0) return false;
        int dst = destination(p);
        int src = source(p);
        if (isMulticastOrBroadcast(dst) || isMulticastOrBroadcast(src) || src == 0) return false;
        if (protocol(p) != PROTO_ICMP) return true;
        int ihl = headerLength(p);
        if (totalLength(p) < ihl + 1) return false;
        int type = p.get(ValueLayout.JAVA_BYTE, ihl) & 0xff;
        // only informational ICMP (echo, timestamp, ...) may trigger an error; 3,4,5,11,12 are errors
        return type != 3 && type != 4 && type != 5 && type != 11 && type != 12;
    }

    private static boolean isMulticastOrBroadcast(int addr) {
        return (addr >>> 28) == 0xe || addr == -1;
    }

    /**
     * Writes into {@code out} an ICMP destination unreachable / net unreachable (type 3 code 0) answering the
     * offending packet {@code p} and returns its length. The reply carries the offender's IP header plus its
     * first 8 payload bytes (RFC 792). Its source is the offender's <em>destination</em> address, as
     * flannel's proxy does: the node's own addresses would be dropped as a martian source when the packet is
     * written back into the TUN device of the node that owns them. {@code out} needs
     * {@code MIN_HEADER + ICMP_HEADER + 60 + 8} bytes at most.
     */
    public static int writeNetUnreachable(MemorySegment p, MemorySegment out) {
        int quoted = Math.min(totalLength(p), headerLength(p) + 8);
        int total = MIN_HEADER + ICMP_HEADER + quoted;
        out.asSlice(0, total).fill((byte) 0);
        out.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        out.set(U16, 2, (short) total);
        out.set(ValueLayout.JAVA_BYTE, 8, (byte) ICMP_TTL);
        out.set(ValueLayout.JAVA_BYTE, 9, (byte) PROTO_ICMP);
        out.set(U32, 12, destination(p));
        out.set(U32, 16, source(p));
        out.set(U16, 10, (short) internetChecksum(out, 0, MIN_HEADER));
        out.set(ValueLayout.JAVA_BYTE, MIN_HEADER, (byte) ICMP_DEST_UNREACH);
        out.set(ValueLayout.JAVA_BYTE, MIN_HEADER + 1, (byte) ICMP_NET_UNREACH);
        MemorySegment.copy(p, 0, out, MIN_HEADER + ICMP_HEADER, quoted);
        out.set(U16, MIN_HEADER + 2, (short) internetChecksum(out, MIN_HEADER, ICMP_HEADER + quoted));
        return total;
    }

    private static int u16(MemorySegment p, long off) {
        return p.get(U16, off) & 0xffff;
    }
}
