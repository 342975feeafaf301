package io.podnet.overlay.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One preallocated, off-heap batch for {@code sendmmsg(2)} / {@code recvmmsg(2)}: {@code n} slots, each a
 * {@code struct mmsghdr} whose single {@code iovec} points at the slot's packet buffer and whose
 * {@code msg_name} points at the slot's {@code sockaddr_in}. Everything is wired once at construction; the
 * data path only sets lengths and addresses. Owned by one thread; its memory belongs to the owner's arena.
 */
final class MmsgBatch {
    /** {@code struct msghdr} (LP64 Linux). */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"), JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4));
    /** {@code struct mmsghdr}. */
    static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"), JAVA_INT.withName("msg_len"), MemoryLayout.paddingLayout(4));
    static final StructLayout IOVEC = MemoryLayout.structLayout(ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len"));
    static final long SOCKADDR_IN = 16;

    private static final long OFF_NAME = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_name"));
    private static final long OFF_NAMELEN = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_namelen"));
    private static final long OFF_IOV = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_iov"));
    private static final long OFF_IOVLEN = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_iovlen"));
    private static final long OFF_CONTROL = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_control"));
    private static final long OFF_CONTROLLEN = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_controllen"));
    private static final long OFF_FLAGS = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_flags"));
    private static final long OFF_LEN = MMSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_len"));
    private static final long OFF_IOV_LEN = IOVEC.byteOffset(MemoryLayout.PathElement.groupElement("iov_len"));
    private static final ValueLayout.OfShort BE16 = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    static final int AF_INET = 2;

    private final int size;
    private final int slotBytes;
    private final MemorySegment msgs;
    private final MemorySegment iovs;
    private final MemorySegment names;
    private final MemorySegment[] buffers;
    private final MemorySegment control;
    private final int controlBytes;

    /**
     * @param withNames whether each message carries a {@code sockaddr_in} (sending to per-packet remotes);
     *                  receivers pass false and ignore the sender
     */
    MmsgBatch(Arena arena, int size, int slotBytes, boolean withNames) {
        this(arena, size, slotBytes, withNames, 0);
    }

    /**
     * @param controlBytes ancillary-data buffer per message for receiving ({@code msg_control}), 0 for none;
     *                     {@link #resetControl} before each receive
     */
    MmsgBatch(Arena arena, int size, int slotBytes, boolean withNames, int controlBytes) {
        this.controlBytes = controlBytes;
        this.control = controlBytes == 0 ? MemorySegment.NULL : arena.allocate((long) controlBytes * size, 8);
        this.size = size;
        this.slotBytes = slotBytes;
        this.msgs = arena.allocate(MMSGHDR, size);
        this.iovs = arena.allocate(IOVEC, size);
        this.names = arena.allocate(SOCKADDR_IN * size, 8);
        MemorySegment data = arena.allocate((long) slotBytes * size, 64);
        this.buffers = new MemorySegment[size];
        for (int i = 0; i < size; i++) {
            buffers[i] = data.asSlice((long) i * slotBytes, slotBytes);
            MemorySegment iov = iovs.asSlice(i * IOVEC.byteSize(), IOVEC.byteSize());
            iov.set(ADDRESS, 0, buffers[i]);
            iov.set(JAVA_LONG, OFF_IOV_LEN, slotBytes);
            MemorySegment name = names.asSlice(i * SOCKADDR_IN, SOCKADDR_IN);
            name.set(JAVA_SHORT, 0, (short) AF_INET);
            long m = i * MMSGHDR.byteSize();
            msgs.set(ADDRESS, m + OFF_NAME, withNames ? name : MemorySegment.NULL);
            msgs.set(JAVA_INT, m + OFF_NAMELEN, withNames ? (int) SOCKADDR_IN : 0);
            msgs.set(ADDRESS, m + OFF_IOV, iov);
            msgs.set(JAVA_LONG, m + OFF_IOVLEN, 1);
            if (controlBytes != 0) msgs.set(ADDRESS, m + OFF_CONTROL, control.asSlice((long) i * controlBytes, controlBytes));
        }
        resetControl();
    }

    /** Gives every message its whole control buffer again (the kernel shrinks {@code msg_controllen}). */
    void resetControl() {
        resetControl(size);
    }

    /** {@link #resetControl()} for the first {@code n} messages (those a receive filled). */
    void resetControl(int n) {
        for (int i = 0; i < n; i++) msgs.set(JAVA_LONG, i * MMSGHDR.byteSize() + OFF_CONTROLLEN, controlBytes);
    }

    /**
     * The {@code int} payload of the control message {@code level}/{@code type} received with slot {@code i}
     * (e.g. {@code SOL_UDP}/{@code UDP_GRO}: the size of the coalesced datagrams), or -1 if there is none.
     * Walks the {@code cmsghdr}s: {@code size_t cmsg_len; int cmsg_level; int cmsg_type;} + data, 8-aligned.
     */
    int controlInt(int i, int level, int type) {
        long have = msgs.get(JAVA_LONG, i * MMSGHDR.byteSize() + OFF_CONTROLLEN);
        long base = (long) i * controlBytes;
        for (long c = 0; c + 16 <= have; ) {
            long len = control.get(JAVA_LONG, base + c);
            if (len < 16 || c + len > have) return -1;
            if (control.get(JAVA_INT, base + c + 8) == level && control.get(JAVA_INT, base + c + 12) == type) {
                return len >= 20 ? control.get(JAVA_INT, base + c + 16) : -1;
            }
            c += (len + 7) & ~7L;
        }
        return -1;
    }

    int size() { return size; }

    int slotBytes() { return slotBytes; }

    /** The packet buffer of slot {@code i} ({@link #slotBytes} long). */
    MemorySegment buffer(int i) { return buffers[i]; }

    /** The {@code mmsghdr} array starting at slot {@code from}, for a partial re-send. */
    MemorySegment messagesFrom(int from) {
        return from == 0 ? msgs : msgs.asSlice(from * MMSGHDR.byteSize());
    }

    /** Sets the payload length to send from slot {@code i}. */
    void setLength(int i, int len) {
        iovs.set(JAVA_LONG, i * IOVEC.byteSize() + OFF_IOV_LEN, len);
    }

    /** Restores slot {@code i}'s iovec to the full buffer, for receiving. */
    void resetLength(int i) {
        iovs.set(JAVA_LONG, i * IOVEC.byteSize() + OFF_IOV_LEN, slotBytes);
    }

    /** Sets the destination of slot {@code i}: IPv4 address as a big-endian int, UDP port. */
    void setDestination(int i, int address, int port) {
        long n = i * SOCKADDR_IN;
        names.set(BE16, n + 2, (short) port);
        names.set(BE32, n + 4, address);
    }

    /** Bytes received into slot {@code i} by {@code recvmmsg} (or sent by {@code sendmmsg}). */
    int received(int i) {
        return msgs.get(JAVA_INT, i * MMSGHDR.byteSize() + OFF_LEN);
    }

    /** {@code msg_flags} of slot {@code i} after {@code recvmmsg} (e.g. {@code MSG_TRUNC}). */
    int flags(int i) {
        return msgs.get(JAVA_INT, i * MMSGHDR.byteSize() + OFF_FLAGS);
    }
}
