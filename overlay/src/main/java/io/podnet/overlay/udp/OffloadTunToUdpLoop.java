package io.podnet.overlay.udp;

import io.podnet.rtnetlink.Errno;
import io.podnet.rtnetlink.SyscallException;
import java.lang.foreign.MemorySegment;

/**
 * TUN → UDP with offloads: the TUN fd carries a {@code virtio_net_hdr} before each packet and hands over TCP
 * super-packets of up to 64 KiB ({@code gso_type TCPV4}). Each read packet is routed and its TTL decremented
 * once (every segment gets the decremented header); a super-packet is cut into MSS-sized segments by
 * {@link TcpSegmenter} — headers into the batch's header area, payloads referenced in place — and sent, one
 * IP packet per UDP datagram as flannel does, either as UDP GSO messages (one message per up to 64 KiB of
 * datagrams, the kernel segments) or, where the kernel refuses UDP GSO, one message per datagram. A plain
 * packet whose checksum the kernel left to the device ({@code NEEDS_CSUM}) gets it completed first.
 * Drains the TUN fd into one read buffer until {@code EAGAIN} or a full batch, then one {@code sendmmsg}.
 */
final class OffloadTunToUdpLoop extends TunnelLoop.Tx {
    /** Largest read: a 64 KiB IP packet behind its virtio_net_hdr. */
    static final int MAX_READ = VirtioNetHdr.SIZE + 65535;
    /** Most segments we accept from one super-packet (64 KiB at an MSS of 256). */
    static final int MAX_SEGMENTS = 256;
    /** UDP payload bytes per UDP GSO message: 65535 − 20 (IPv4) − 8 (UDP). */
    static final int MAX_GSO_BYTES = 65507;
    /** Datagrams per UDP GSO message (the kernel's UDP_MAX_SEGMENTS was 64 before Linux 6.9). */
    static final int MAX_GSO_SEGMENTS = 64;
    private static final int READ_BUFFER = 8 * MAX_READ;

    private final int tunFd;
    private final int sockFd;
    private final UdpTunnel tunnel;
    private final int remotePort;
    private final int maxReads;
    private final MemorySegment buf;
    private final SendBatch batch;
    private final MemorySegment icmp;
    private final IcmpRateLimiter icmpLimit = new IcmpRateLimiter(TunToUdpLoop.ICMP_PER_SECOND,
            TunToUdpLoop.ICMP_PER_SECOND, System.nanoTime());
    private boolean udpGso;
    private long noRoute, ttl, malformed, icmps;

    OffloadTunToUdpLoop(Fds fds, UdpTunnel tunnel, UdpTunnelOptions opts, boolean udpGso) {
        super(fds.wake());
        this.tunFd = fds.tun();
        this.sockFd = fds.socket();
        this.tunnel = tunnel;
        this.remotePort = opts.remotePort();
        this.maxReads = opts.batchSize();
        this.udpGso = udpGso;
        this.buf = arena.allocate(READ_BUFFER, 64);
        // fill() reads only while one more super-packet fits even as single datagrams (MAX_SEGMENTS messages,
        // 2 iovecs and a header each); beyond that reserve: a batch of plain packets or ~8 super-packets
        int msgs = Math.min(1024, Math.max(opts.batchSize(), 2 * MAX_SEGMENTS) + MAX_SEGMENTS);
        this.batch = new SendBatch(arena, msgs, 2 * msgs + 2 * MAX_SEGMENTS, 3 * MAX_SEGMENTS);
        this.icmp = arena.allocate(VirtioNetHdr.SIZE + Ipv4Packet.MIN_HEADER + Ipv4Packet.ICMP_HEADER + 60 + 8, 8);
    }

    /** Whether datagrams currently go out as UDP GSO messages (false after the kernel refused one). */
    boolean udpGso() {
        return udpGso;
    }

    @Override
    void loop() throws SyscallException {
        while (!stopping()) {
            if (fill() > 0) {
                send();
            } else {
                await(tunFd, NativeIo.POLLIN, true, "tun");
            }
        }
    }

    /** Reads packets until EAGAIN or the batch is full; returns the number of packets read. */
    private int fill() {
        UdpRoutes routes = tunnel.routes();
        batch.clear();
        noRoute = ttl = malformed = icmps = 0;
        long pos = 0;
        int reads = 0;
        while (reads < maxReads && pos + MAX_READ <= READ_BUFFER
                && batch.hasRoom(MAX_SEGMENTS, 2 * MAX_SEGMENTS, MAX_SEGMENTS)) {
            long r = NativeIo.readAt(tunFd, buf.address() + pos, MAX_READ);
            if (r < 0) break; // EAGAIN; a real error shows as POLLERR in the next await()
            reads++;
            handle(routes, pos, (int) r);
            pos += (r + 63) & ~63L;
        }
        tunReads += reads;
        if ((noRoute | ttl | malformed | icmps) != 0) {
            dropsNoRoute += noRoute;
            dropsTtl += ttl;
            dropsMalformed += malformed;
            icmpSent += icmps;
        }
        return reads;
    }

    /** Routes one packet read at {@code pos} ({@code r} bytes with the vnet header) into the batch. */
    private void handle(UdpRoutes routes, long pos, int r) {
        long ip = pos + VirtioNetHdr.SIZE;
        int len = r - VirtioNetHdr.SIZE;
        if (len < Ipv4Packet.MIN_HEADER || !Ipv4Packet.isValidIpv4(buf, ip, len)) {
            malformed++;
            return;
        }
        int total = TcpSegmenter.totalLength(buf, ip);
        int remote = routes.lookup(Ipv4Packet.destination(buf, ip));
        if (remote == UdpRoutes.NO_ROUTE) {
            noRoute++;
            answerNetUnreachable(buf.asSlice(ip, total)); // rare and rate-limited: a slice is fine here
            return;
        }
        int gsoType = VirtioNetHdr.gsoType(buf, pos) & ~VirtioNetHdr.GSO_ECN;
        if (gsoType == VirtioNetHdr.GSO_NONE) {
            if ((VirtioNetHdr.flags(buf, pos) & VirtioNetHdr.F_NEEDS_CSUM) != 0 && !TcpSegmenter.completeChecksum(
                    buf, ip, total, VirtioNetHdr.csumStart(buf, pos), VirtioNetHdr.csumOffset(buf, pos))) {
                malformed++;
                return;
            }
            if (Ipv4Packet.decrementTtl(buf, ip) != Ipv4Packet.TTL_OK) {
                ttl++;
                return;
            }
            batch.begin(remote, remotePort);
            batch.piece(buf, ip, total);
            batch.end(1, total, 0);
        } else if (gsoType == VirtioNetHdr.GSO_TCPV4) {
            segment(pos, ip, total, remote);
        } else {
            malformed++; // TSO6/UFO/USO were not enabled
        }
    }

    private void segment(long pos, long ip, int total, int remote) {
        int thl = TcpSegmenter.tcpHeaderLength(buf, ip, total);
        int mss = VirtioNetHdr.gsoSize(buf, pos);
        if (thl < 0 || mss == 0) {
            malformed++;
            return;
        }
        int ihl = TcpSegmenter.ipHeaderLength(buf, ip);
        int hl = ihl + thl;
        int payload = total - hl;
        int n = TcpSegmenter.segmentCount(payload, mss);
        if (n > MAX_SEGMENTS) {
            malformed++;
            return;
        }
        if (Ipv4Packet.decrementTtl(buf, ip) != Ipv4Packet.TTL_OK) {
            ttl++;
            return;
        }
        int perMessage = udpGso ? Math.min(MAX_GSO_SEGMENTS, MAX_GSO_BYTES / (hl + mss)) : 1;
        MemorySegment hdrs = batch.headers();
        for (int k = 0; k < n; ) {
            int end = Math.min(n, k + perMessage);
            int bytes = 0;
            batch.begin(remote, remotePort);
            for (int j = k; j < end; j++) {
                long h = batch.takeHeader();
                TcpSegmenter.writeSegmentHeader(buf, ip, ihl, thl, payload, mss, j, hdrs, h);
                int segLen = TcpSegmenter.payloadLength(payload, mss, j);
                batch.piece(hdrs, h, hl);
                batch.piece(buf, ip + TcpSegmenter.payloadOffset(hl, mss, j), segLen);
                bytes += hl + segLen;
            }
            batch.end(end - k, bytes, udpGso ? hl + mss : 0);
            k = end;
        }
    }

    private void answerNetUnreachable(MemorySegment offender) {
        if (!Ipv4Packet.mayAnswerWithIcmpError(offender) || !icmpLimit.tryAcquire(System.nanoTime())) return;
        VirtioNetHdr.setNone(icmp, 0);
        int len = Ipv4Packet.writeNetUnreachable(offender, icmp.asSlice(VirtioNetHdr.SIZE));
        if (NativeIo.write(tunFd, icmp, VirtioNetHdr.SIZE + len) == VirtioNetHdr.SIZE + len) icmps++;
    }

    /** Sends the batch, skipping a message that fails and waiting while the socket buffer is full. */
    private void send() throws SyscallException {
        int n = batch.messages();
        int sent = 0;
        long bytes = 0, packets = 0, errs = 0, calls = 0;
        while (sent < n && !stopping()) {
            int r = NativeIo.sendmmsg(cap, sockFd, batch.from(sent), n - sent, 0);
            if (r > 0) {
                for (int i = sent; i < sent + r; i++) {
                    bytes += batch.bytes(i);
                    packets += batch.segments(i);
                }
                sent += r;
                calls++;
            } else if (r == -NativeIo.EAGAIN) {
                await(sockFd, 0x4 /* POLLOUT */, false, "udp socket");
            } else if (batch.isGso(sent) && (r == -Errno.EIO.code() || r == -Errno.EINVAL.code())) {
                gsoRefused(r); // e.g. the egress device cannot checksum: this super-packet is lost, TCP resends
                errs += batch.segments(sent);
                sent++;
            } else if (isFatal(-r)) {
                throw new SyscallException("sendmmsg", Errno.of(-r), "udp socket");
            } else {
                errs += batch.segments(sent);
                sent++; // e.g. ENETUNREACH, EMSGSIZE, ENOBUFS (qdisc drop): these packets are lost, the rest go on
            }
        }
        txPackets += packets;
        txBytes += bytes;
        batches += calls;
        if (errs != 0) errors += errs;
    }

    private void gsoRefused(int r) {
        udpGso = false;
        System.getLogger(UdpTunnel.class.getName()).log(System.Logger.Level.WARNING,
                "UDP GSO refused by the kernel (errno " + -r + "); sending one datagram per message from now on");
    }
}
