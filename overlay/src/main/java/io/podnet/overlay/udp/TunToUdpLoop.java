package io.podnet.overlay.udp;

import io.podnet.rtnetlink.Errno;
import io.podnet.rtnetlink.SyscallException;
import java.lang.foreign.MemorySegment;

/**
 * TUN → UDP: drains up to one batch of packets from the non-blocking TUN fd, routes each (LPM on the IPv4
 * destination), decrements its TTL, and hands the batch to one {@code sendmmsg}. A packet without a route is
 * dropped and answered with ICMP net-unreachable written back into the TUN device (at most
 * {@value #ICMP_PER_SECOND} per second, RFC 1812 §4.3.2.8). Blocks in {@code poll}
 * only when the TUN queue is empty, or when the socket's send buffer is full (back-pressure: the TUN queue
 * then fills and the kernel drops there, as with any full device queue).
 *
 * <p>No allocation per packet: slots, iovecs and sockaddrs live in one {@link MmsgBatch}; counters are
 * accumulated in locals and published once per batch (single writer, volatile fields).
 */
final class TunToUdpLoop extends TunnelLoop.Tx {
    /** ICMP net-unreachable errors per second (and burst) — the Linux default {@code icmp_ratelimit} is 1/s per
     * destination with a global 1000/s cap; one bucket for the whole tunnel is enough for a debugging backend. */
    static final int ICMP_PER_SECOND = 100;
    private final int tunFd;
    private final int sockFd;
    private final UdpTunnel tunnel;
    private final int remotePort;
    private final MmsgBatch batch;
    private final MemorySegment[] msgsFrom;
    private final int[] lengths;
    private final MemorySegment icmp;
    private final IcmpRateLimiter icmpLimit = new IcmpRateLimiter(ICMP_PER_SECOND, ICMP_PER_SECOND, System.nanoTime());

    TunToUdpLoop(Fds fds, UdpTunnel tunnel, UdpTunnelOptions opts) {
        super(fds.wake());
        this.tunFd = fds.tun();
        this.sockFd = fds.socket();
        this.tunnel = tunnel;
        this.remotePort = opts.remotePort();
        this.batch = new MmsgBatch(arena, opts.batchSize(), opts.maxPacketSize(), true);
        this.msgsFrom = new MemorySegment[opts.batchSize()];
        for (int i = 0; i < msgsFrom.length; i++) msgsFrom[i] = batch.messagesFrom(i);
        this.lengths = new int[opts.batchSize()];
        this.icmp = arena.allocate(Ipv4Packet.MIN_HEADER + Ipv4Packet.ICMP_HEADER + 60 + 8, 8);
    }

    @Override
    void loop() throws SyscallException {
        while (!stopping()) {
            int n = fill();
            if (n > 0) {
                send(n);
            } else if (n == 0) {
                await(tunFd, NativeIo.POLLIN, true, "tun");
            }
        }
    }

    /** Reads up to a batch; returns the number of packets ready to send. */
    private int fill() {
        UdpRoutes routes = tunnel.routes();
        int n = 0;
        long noRoute = 0, ttl = 0, malformed = 0, icmps = 0;
        for (int reads = 0; n < batch.size() && reads < 2 * batch.size(); reads++) {
            MemorySegment buf = batch.buffer(n);
            long r = NativeIo.read(tunFd, buf, batch.slotBytes());
            if (r < 0) break; // EAGAIN; a real error shows as POLLERR in the next await()
            int len = (int) r;
            if (!Ipv4Packet.isValidIpv4(buf, len)) {
                malformed++;
                continue;
            }
            int remote = routes.lookup(Ipv4Packet.destination(buf));
            if (remote == UdpRoutes.NO_ROUTE) {
                noRoute++;
                if (Ipv4Packet.mayAnswerWithIcmpError(buf) && icmpLimit.tryAcquire(System.nanoTime())) {
                    icmps += answerNetUnreachable(buf);
                }
                continue;
            }
            if (Ipv4Packet.decrementTtl(buf) != Ipv4Packet.TTL_OK) {
                ttl++;
                continue;
            }
            batch.setLength(n, len);
            batch.setDestination(n, remote, remotePort);
            lengths[n++] = len;
        }
        tunReads += n + noRoute + ttl + malformed;
        if ((noRoute | ttl | malformed | icmps) != 0) {
            dropsNoRoute += noRoute;
            dropsTtl += ttl;
            dropsMalformed += malformed;
            icmpSent += icmps;
        }
        return n;
    }

    private int answerNetUnreachable(MemorySegment offender) {
        int len = Ipv4Packet.writeNetUnreachable(offender, icmp);
        return NativeIo.write(tunFd, icmp, len) == len ? 1 : 0;
    }

    /** Sends slots 0..n-1, skipping a message that fails and waiting while the socket buffer is full. */
    private void send(int n) throws SyscallException {
        int sent = 0;
        long bytes = 0, packets = 0, errs = 0, calls = 0;
        while (sent < n && !stopping()) {
            int r = NativeIo.sendmmsg(cap, sockFd, msgsFrom[sent], n - sent, 0);
            if (r > 0) {
                for (int i = sent; i < sent + r; i++) bytes += lengths[i];
                packets += r;
                sent += r;
                calls++;
            } else if (r == -NativeIo.EAGAIN) {
                await(sockFd, 0x4 /* POLLOUT */, false, "udp socket");
            } else if (isFatal(-r)) {
                throw new SyscallException("sendmmsg", Errno.of(-r), "udp socket");
            } else {
                errs++;
                sent++; // e.g. ENETUNREACH, EMSGSIZE, ENOBUFS (qdisc drop): this packet is lost, the rest go on
            }
        }
        txPackets += packets;
        txBytes += bytes;
        batches += calls;
        if (errs != 0) errors += errs;
    }
}
