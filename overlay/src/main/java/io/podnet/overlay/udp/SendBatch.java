package io.podnet.overlay.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A preallocated {@code sendmmsg(2)} batch whose messages are gathered from several pieces ({@code iovec}s
 * pointing at segment headers and at payload slices of the packets read from TUN) and may carry a
 * {@code UDP_SEGMENT} control message (UDP GSO, Linux 4.18: the kernel cuts the message into datagrams of
 * that size; all but the last must be exactly that size). Messages, iovecs, sockaddrs, control messages and a
 * header area are wired once; filling it only writes lengths and addresses. Owned by one thread.
 */
final class SendBatch {
    /** Bytes per slot of the header area: an IPv4 + TCP header of at most 120 bytes. */
    static final int HEADER_SLOT = 128;
    /** {@code CMSG_SPACE(sizeof(uint16_t))} on LP64. */
    static final int CMSG_SPACE_U16 = 24;
    private static final long MSG = MmsgBatch.MMSGHDR.byteSize();
    private static final long IOV = MmsgBatch.IOVEC.byteSize();
    private static final ValueLayout.OfShort BE16 = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    private final int maxMessages;
    private final int maxIovecs;
    private final int maxHeaders;
    private final MemorySegment msgs;
    private final MemorySegment iovs;
    private final MemorySegment names;
    private final MemorySegment control;
    private final MemorySegment headers;
    private final MemorySegment[] from;
    private final int[] segments;
    private final int[] bytes;
    private final boolean[] gso;
    private int messages;
    private int iovecs;
    private int usedHeaders;
    private int curIov;

    SendBatch(Arena arena, int maxMessages, int maxIovecs, int maxHeaders) {
        this.maxMessages = maxMessages;
        this.maxIovecs = maxIovecs;
        this.maxHeaders = maxHeaders;
        msgs = arena.allocate(MmsgBatch.MMSGHDR, maxMessages);
        iovs = arena.allocate(MmsgBatch.IOVEC, maxIovecs);
        names = arena.allocate(MmsgBatch.SOCKADDR_IN * maxMessages, 8);
        control = arena.allocate((long) CMSG_SPACE_U16 * maxMessages, 8);
        headers = arena.allocate((long) HEADER_SLOT * maxHeaders, 64);
        from = new MemorySegment[maxMessages];
        segments = new int[maxMessages];
        bytes = new int[maxMessages];
        gso = new boolean[maxMessages];
        for (int i = 0; i < maxMessages; i++) {
            long m = i * MSG;
            msgs.set(ADDRESS, m, names.asSlice(i * MmsgBatch.SOCKADDR_IN, MmsgBatch.SOCKADDR_IN));
            msgs.set(JAVA_INT, m + 8, (int) MmsgBatch.SOCKADDR_IN);
            names.set(JAVA_SHORT, i * MmsgBatch.SOCKADDR_IN, (short) MmsgBatch.AF_INET);
            long c = (long) i * CMSG_SPACE_U16;
            control.set(JAVA_LONG, c, 18); // CMSG_LEN(2)
            control.set(JAVA_INT, c + 8, NativeIo.SOL_UDP);
            control.set(JAVA_INT, c + 12, NativeIo.UDP_SEGMENT);
            from[i] = i == 0 ? msgs : msgs.asSlice(i * MSG);
        }
    }

    /** Whether {@code msgs} more messages, {@code iovs} iovecs and {@code hdrs} headers still fit. */
    boolean hasRoom(int msgs, int iovs, int hdrs) {
        return messages + msgs <= maxMessages && iovecs + iovs <= maxIovecs && usedHeaders + hdrs <= maxHeaders;
    }

    int messages() { return messages; }

    /** The header area (slots of {@value #HEADER_SLOT} bytes, see {@link #takeHeader}). */
    MemorySegment headers() { return headers; }

    /** Takes the next header slot; returns its offset in {@link #headers()}. */
    long takeHeader() {
        return (long) HEADER_SLOT * usedHeaders++;
    }

    /** Starts a message to {@code address:port} (IPv4 as a big-endian int). */
    void begin(int address, int port) {
        int i = messages;
        long n = i * MmsgBatch.SOCKADDR_IN;
        names.set(BE16, n + 2, (short) port);
        names.set(BE32, n + 4, address);
        long m = i * MSG;
        msgs.set(JAVA_LONG, m + 16, iovs.address() + iovecs * IOV);
        msgs.set(JAVA_LONG, m + 32, 0L);
        msgs.set(JAVA_LONG, m + 40, 0L);
        curIov = iovecs;
        segments[i] = 0;
        bytes[i] = 0;
        gso[i] = false;
    }

    /** Appends {@code len} bytes at {@code s + off} (a native segment) to the current message. */
    void piece(MemorySegment s, long off, int len) {
        long v = iovecs++ * IOV;
        iovs.set(JAVA_LONG, v, s.address() + off);
        iovs.set(JAVA_LONG, v + 8, len);
    }

    /**
     * Ends the current message: it holds {@code segs} IP packets, {@code total} bytes; {@code segmentSize} > 0
     * asks the kernel to cut it into datagrams of that many bytes (UDP GSO).
     */
    void end(int segs, int total, int segmentSize) {
        int i = messages++;
        long m = i * MSG;
        msgs.set(JAVA_LONG, m + 24, iovecs - curIov);
        if (segmentSize > 0 && segs > 1) {
            long c = (long) i * CMSG_SPACE_U16;
            control.set(JAVA_SHORT, c + 16, (short) segmentSize);
            msgs.set(JAVA_LONG, m + 32, control.address() + c);
            msgs.set(JAVA_LONG, m + 40, CMSG_SPACE_U16);
            gso[i] = true;
        }
        segments[i] = segs;
        bytes[i] = total;
    }

    /** The {@code mmsghdr} array from message {@code i}. */
    MemorySegment from(int i) { return from[i]; }

    int segments(int i) { return segments[i]; }

    int bytes(int i) { return bytes[i]; }

    boolean isGso(int i) { return gso[i]; }

    /** Empties the batch. */
    void clear() {
        messages = 0;
        iovecs = 0;
        usedHeaders = 0;
    }
}
