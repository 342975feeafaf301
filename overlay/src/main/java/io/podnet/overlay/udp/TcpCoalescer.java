package io.podnet.overlay.udp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Receive-side coalescing (what Linux GRO does in {@code tcp4_gro_receive}, done in userspace): consecutive
 * in-order TCP/IPv4 segments of one flow received in a batch are joined into one super-packet that is written
 * to the TUN device with a {@code virtio_net_hdr} ({@code gso_type TCPV4}, {@code gso_size} = the first
 * segment's payload, {@code NEEDS_CSUM} with the pseudo-header sum seeded), so one write carries many
 * segments. Everything else is written as it came, behind an all-zero header.
 *
 * <p>A segment joins the flow's open group only if the result is exactly what the sender's TSO would have
 * produced: same addresses, ports, TOS, TTL, DF, IPv4 header without options, identification = previous + 1,
 * TCP sequence = previous end, same ACK number, window, flags and option bytes (timestamps included), ACK set
 * and no SYN/FIN/RST/URG/CWR, a verified TCP checksum (the kernel trusts a {@code NEEDS_CSUM} packet), a
 * payload no larger than the group's first one, which every segment but the last equals. PSH ends a group.
 * Packets of one flow keep their order: a packet that cannot join closes the flow's group and goes after it.
 *
 * <p>Use: {@link #add} each packet of a batch (the memory must stay untouched until {@link #flush}), then
 * {@link #flush} hands every output packet to a {@link Sink} as pieces, in order. The first segment's headers
 * are rewritten in place. Preallocated arrays; no allocation per packet.
 */
final class TcpCoalescer {
    /** Receives the output packets as pieces: {@link #begin} with the 10-byte vnet header, pieces, {@link #end}. */
    interface Sink {
        void begin(MemorySegment vnetHdr);

        void piece(MemorySegment s, long off, int len);

        void end();
    }

    /** Segments per super-packet at most (Linux GRO stops at 64 too, {@code MAX_GRO_SKBS}). */
    static final int MAX_SEGMENTS = 64;
    /** Flows with an open group at once; the oldest is closed when one more starts. */
    static final int MAX_OPEN = 16;
    private static final int MAX_IP_TOTAL = 65535;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int NOT_COALESCABLE = 0;

    private final int capacity;
    private final MemorySegment[] seg;
    private final long[] off;
    private final int[] len;
    private final int[] thl; // TCP header length if the packet may join a group, else NOT_COALESCABLE
    private final int[] payload;
    private final int[] next;
    private final int[] itemFirst;
    private final int[] itemLast;
    private final int[] itemCount;
    private final int[] itemPayload;
    private final int[] open = new int[MAX_OPEN];
    private final MemorySegment zeroHdr;
    private final MemorySegment gsoHdr;
    private int packets;
    private int items;
    private int openCount;

    /** Room for {@code capacity} packets per batch; the two 10-byte headers live in {@code arena}. */
    TcpCoalescer(Arena arena, int capacity) {
        this.capacity = capacity;
        seg = new MemorySegment[capacity];
        off = new long[capacity];
        len = new int[capacity];
        thl = new int[capacity];
        payload = new int[capacity];
        next = new int[capacity];
        itemFirst = new int[capacity];
        itemLast = new int[capacity];
        itemCount = new int[capacity];
        itemPayload = new int[capacity];
        zeroHdr = arena.allocate(VirtioNetHdr.SIZE, 8);
        gsoHdr = arena.allocate(VirtioNetHdr.SIZE, 8);
    }

    /** True when no more packets fit before the next {@link #flush}. */
    boolean isFull() {
        return packets == capacity;
    }

    /** Packets added since the last flush. */
    int size() {
        return packets;
    }

    /** Adds the IPv4 packet at {@code s + o} ({@code n} bytes, valid IPv4). Returns false when full. */
    boolean add(MemorySegment s, long o, int n) {
        if (packets == capacity) return false;
        int p = packets++;
        seg[p] = s;
        off[p] = o;
        len[p] = n;
        next[p] = -1;
        payload[p] = 0;
        int t = TcpSegmenter.tcpHeaderLength(s, o, n);
        if (t < 0) {
            thl[p] = NOT_COALESCABLE;
            newItem(p);
            return true;
        }
        int ihl = TcpSegmenter.ipHeaderLength(s, o);
        int total = TcpSegmenter.totalLength(s, o);
        payload[p] = total - ihl - t;
        thl[p] = mayJoin(s, o, ihl, t, total) ? t : NOT_COALESCABLE;
        int g = findOpen(s, o, ihl);
        if (g >= 0) {
            int item = open[g];
            if (thl[p] != NOT_COALESCABLE && canAppend(item, p)) {
                append(item, p);
                if (!stillOpen(item, p)) closeOpen(g);
                return true;
            }
            closeOpen(g); // the flow goes on after this packet: nothing may join the older group any more
        }
        int item = newItem(p);
        if (thl[p] != NOT_COALESCABLE && stillOpen(item, p)) openGroup(item);
        return true;
    }

    private boolean mayJoin(MemorySegment s, long o, int ihl, int t, int total) {
        if (ihl != Ipv4Packet.MIN_HEADER || total - ihl - t <= 0) return false;
        int flags = s.get(ValueLayout.JAVA_BYTE, o + ihl + 13) & 0xff;
        int bad = TcpSegmenter.SYN | TcpSegmenter.FIN | TcpSegmenter.RST | TcpSegmenter.URG | TcpSegmenter.CWR;
        if ((flags & TcpSegmenter.ACK) == 0 || (flags & bad) != 0) return false;
        return TcpSegmenter.tcpChecksumValid(s, o, ihl, total);
    }

    /** Index in {@link #open} of the open group of the TCP flow of the packet at {@code s + o}, or -1. */
    private int findOpen(MemorySegment s, long o, int ihl) {
        int src = s.get(U32, o + 12);
        int dst = s.get(U32, o + 16);
        int ports = s.get(U32, o + ihl);
        for (int g = 0; g < openCount; g++) {
            int f = itemFirst[open[g]];
            int fihl = TcpSegmenter.ipHeaderLength(seg[f], off[f]);
            if (seg[f].get(U32, off[f] + 12) == src && seg[f].get(U32, off[f] + 16) == dst
                    && seg[f].get(U32, off[f] + fihl) == ports) return g;
        }
        return -1;
    }

    private boolean canAppend(int item, int p) {
        int f = itemFirst[item];
        int l = itemLast[item];
        MemorySegment fs = seg[f], ps = seg[p];
        long fo = off[f], po = off[p];
        int t = thl[p];
        if (thl[f] != t || payload[p] > payload[f] || payload[l] != payload[f]) return false;
        if (itemCount[item] >= MAX_SEGMENTS
                || Ipv4Packet.MIN_HEADER + t + itemPayload[item] + payload[p] > MAX_IP_TOTAL) return false;
        if (fs.get(ValueLayout.JAVA_BYTE, fo + 1) != ps.get(ValueLayout.JAVA_BYTE, po + 1) // TOS
                || fs.get(U16, fo + 6) != ps.get(U16, po + 6) // DF
                || fs.get(ValueLayout.JAVA_BYTE, fo + 8) != ps.get(ValueLayout.JAVA_BYTE, po + 8)) return false; // TTL
        if (((seg[l].get(U16, off[l] + 4) + 1) & 0xffff) != (ps.get(U16, po + 4) & 0xffff)) return false;
        long ft = fo + 20, pt = po + 20;
        if (seg[l].get(U32, off[l] + 20 + 4) + payload[l] != ps.get(U32, pt + 4)) return false; // sequence
        if (fs.get(U32, ft + 8) != ps.get(U32, pt + 8) || fs.get(U16, ft + 14) != ps.get(U16, pt + 14)) return false;
        int pf = ps.get(ValueLayout.JAVA_BYTE, pt + 13) & ~TcpSegmenter.PSH;
        if (fs.get(ValueLayout.JAVA_BYTE, ft + 13) != (byte) pf) return false;
        return MemorySegment.mismatch(fs, ft + 20, ft + t, ps, pt + 20, pt + t) == -1; // options
    }

    /** Whether more segments may follow {@code p} in its group: no PSH and a full-size payload. */
    private boolean stillOpen(int item, int p) {
        if ((seg[p].get(ValueLayout.JAVA_BYTE, off[p] + 20 + 13) & TcpSegmenter.PSH) != 0) return false;
        return payload[p] == payload[itemFirst[item]] && itemCount[item] < MAX_SEGMENTS;
    }

    private void append(int item, int p) {
        next[itemLast[item]] = p;
        itemLast[item] = p;
        itemCount[item]++;
        itemPayload[item] += payload[p];
    }

    private int newItem(int p) {
        int i = items++;
        itemFirst[i] = p;
        itemLast[i] = p;
        itemCount[i] = 1;
        itemPayload[i] = payload[p];
        return i;
    }

    private void openGroup(int item) {
        if (openCount == MAX_OPEN) closeOpen(0);
        open[openCount++] = item;
    }

    private void closeOpen(int g) {
        System.arraycopy(open, g + 1, open, g, openCount - g - 1);
        openCount--;
    }

    /** Hands every output packet to {@code sink}, in order, and empties the coalescer. */
    void flush(Sink sink) {
        for (int i = 0; i < items; i++) {
            int f = itemFirst[i];
            if (itemCount[i] == 1) {
                sink.begin(zeroHdr);
                sink.piece(seg[f], off[f], len[f]);
            } else {
                int hl = finishGroupHeader(i);
                sink.begin(gsoHdr);
                sink.piece(seg[f], off[f], hl);
                for (int p = f; p >= 0; p = next[p]) sink.piece(seg[p], off[p] + hl, payload[p]);
            }
            sink.end();
        }
        for (int p = 0; p < packets; p++) seg[p] = null;
        packets = 0;
        items = 0;
        openCount = 0;
    }

    /** Rewrites the first segment's headers for the group and fills {@link #gsoHdr}; returns the header length. */
    private int finishGroupHeader(int item) {
        int f = itemFirst[item];
        int l = itemLast[item];
        MemorySegment s = seg[f];
        long o = off[f];
        int t = thl[f];
        int hl = Ipv4Packet.MIN_HEADER + t;
        int tcpLen = t + itemPayload[item];
        s.set(U16, o + 2, (short) (Ipv4Packet.MIN_HEADER + tcpLen));
        Checksum.setIpv4Header(s, o, Ipv4Packet.MIN_HEADER);
        int lastFlags = seg[l].get(ValueLayout.JAVA_BYTE, off[l] + 20 + 13) & TcpSegmenter.PSH;
        long flagsAt = o + 20 + 13;
        s.set(ValueLayout.JAVA_BYTE, flagsAt, (byte) (s.get(ValueLayout.JAVA_BYTE, flagsAt) | lastFlags));
        s.set(U16, o + 20 + 16, (short) Checksum.fold(Checksum.pseudoHeader(s, o, Checksum.PROTO_TCP, tcpLen)));
        VirtioNetHdr.set(gsoHdr, 0, VirtioNetHdr.F_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, hl, payload[f],
                Ipv4Packet.MIN_HEADER, 16);
        return hl;
    }
}
