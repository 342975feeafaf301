package io.podnet.overlay.udp;

import io.podnet.rtnetlink.SyscallException;
import java.lang.foreign.MemorySegment;

/**
 * UDP → TUN: one {@code recvmmsg} receives up to a batch of datagrams; each payload that is a whole IPv4
 * packet is written to the TUN device (one {@code write} per packet: TUN has no batched write). The sender
 * is not checked, as in flannel: the underlay is trusted. Blocks in {@code poll} only when the socket is
 * empty.
 */
final class UdpToTunLoop extends TunnelLoop.Rx {
    private final int tunFd;
    private final int sockFd;
    private final MmsgBatch batch;

    UdpToTunLoop(Fds fds, UdpTunnelOptions opts) {
        super(fds.wake());
        this.tunFd = fds.tun();
        this.sockFd = fds.socket();
        this.batch = new MmsgBatch(arena, opts.batchSize(), opts.maxPacketSize(), false);
    }

    @Override
    void loop() throws SyscallException {
        receive(sockFd, batch);
    }

    @Override
    void deliver(int n) {
        long packets = 0, bytes = 0, malformed = 0, errs = 0;
        for (int i = 0; i < n; i++) {
            int len = batch.received(i);
            MemorySegment buf = batch.buffer(i);
            if ((batch.flags(i) & NativeIo.MSG_TRUNC) != 0 || !Ipv4Packet.isValidIpv4(buf, len)) {
                malformed++;
                continue;
            }
            if (NativeIo.write(tunFd, buf, len) == len) {
                packets++;
                bytes += len;
            } else {
                errs++; // e.g. the device is down; a deleted device ends the TUN→UDP thread (POLLERR)
            }
        }
        tunWrites += packets;
        rxPackets += packets;
        rxBytes += bytes;
        batches++;
        if ((malformed | errs) != 0) {
            dropsMalformed += malformed;
            errors += errs;
        }
    }
}
