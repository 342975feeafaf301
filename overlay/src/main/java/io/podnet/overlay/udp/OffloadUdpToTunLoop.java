package io.podnet.overlay.udp;

import io.podnet.rtnetlink.SyscallException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * UDP → TUN with offloads: {@code recvmmsg} into 64 KiB slots on a socket with {@code UDP_GRO} on, so one
 * slot may hold many same-size datagrams of one sender (the {@code UDP_GRO} control message gives their
 * size). Every datagram is one IP packet; {@link TcpCoalescer} joins in-order TCP segments of a flow into
 * super-packets, and each output packet is written to the TUN fd with one {@code writev} (virtio_net_hdr,
 * headers, payload slices in place — no copy in userspace). Blocks in {@code poll} only when the socket is
 * empty.
 */
final class OffloadUdpToTunLoop extends TunnelLoop.Rx implements TcpCoalescer.Sink {
    /** A receive slot: the largest UDP payload (a coalesced one is at most 64 KiB too). */
    static final int SLOT_BYTES = 65536;
    /** Receive slots per {@code recvmmsg} at most (64 KiB each). */
    static final int MAX_SLOTS = 32;
    private static final int CONTROL_BYTES = 32;
    private static final int MAX_PIECES = 2 + TcpCoalescer.MAX_SEGMENTS;

    private final int tunFd;
    private final int sockFd;
    private final MmsgBatch batch;
    private final TcpCoalescer coalescer;
    private final MemorySegment iov;
    private int pieces;
    private long writes;
    private long writeErrors;

    OffloadUdpToTunLoop(Fds fds, UdpTunnelOptions opts) {
        super(fds.wake());
        this.tunFd = fds.tun();
        this.sockFd = fds.socket();
        int slots = Math.min(opts.batchSize(), MAX_SLOTS);
        this.batch = new MmsgBatch(arena, slots, SLOT_BYTES, false, CONTROL_BYTES);
        this.coalescer = new TcpCoalescer(arena, slots * 64);
        this.iov = arena.allocate(MmsgBatch.IOVEC, MAX_PIECES);
    }

    @Override
    void loop() throws SyscallException {
        receive(sockFd, batch);
    }

    @Override
    void deliver(int n) {
        deliverSlots(n);
        batch.resetControl(n);
    }

    private void deliverSlots(int n) {
        long packets = 0, bytes = 0, malformed = 0;
        writes = 0;
        writeErrors = 0;
        for (int i = 0; i < n; i++) {
            int len = batch.received(i);
            if ((batch.flags(i) & NativeIo.MSG_TRUNC) != 0) {
                malformed++;
                continue;
            }
            int size = batch.controlInt(i, NativeIo.SOL_UDP, NativeIo.UDP_GRO);
            if (size <= 0) size = len;
            MemorySegment b = batch.buffer(i);
            for (int off = 0; off < len; off += size) {
                int dlen = Math.min(size, len - off);
                if (!Ipv4Packet.isValidIpv4(b, off, dlen)) {
                    malformed++;
                    continue;
                }
                if (coalescer.isFull()) coalescer.flush(this);
                coalescer.add(b, off, dlen);
                packets++;
                bytes += dlen;
            }
        }
        coalescer.flush(this);
        rxPackets += packets;
        rxBytes += bytes;
        tunWrites += writes;
        batches++;
        if ((malformed | writeErrors) != 0) {
            dropsMalformed += malformed;
            errors += writeErrors;
        }
    }

    @Override
    public void begin(MemorySegment vnetHdr) {
        pieces = 0;
        piece(vnetHdr, 0, VirtioNetHdr.SIZE);
    }

    @Override
    public void piece(MemorySegment s, long off, int len) {
        long v = pieces++ * MmsgBatch.IOVEC.byteSize();
        iov.set(ValueLayout.JAVA_LONG, v, s.address() + off);
        iov.set(ValueLayout.JAVA_LONG, v + 8, len);
    }

    @Override
    public void end() {
        if (NativeIo.writev(tunFd, iov, pieces) >= 0) {
            writes++;
        } else {
            writeErrors++; // e.g. the device is down; a deleted device ends the TUN→UDP thread (POLLERR)
        }
    }
}
