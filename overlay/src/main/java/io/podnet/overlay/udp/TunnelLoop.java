package io.podnet.overlay.udp;

import io.podnet.rtnetlink.Errno;
import io.podnet.rtnetlink.SyscallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What both data-path threads share: an off-heap arena owned by the loop, an errno capture buffer, and a
 * two-entry {@code pollfd} set (the data fd plus the tunnel's wake-up eventfd) so {@link UdpTunnel#close}
 * interrupts a blocked {@code poll} at once. A loop ends when asked to stop or on a fatal error, which it
 * records in {@link #failure()}.
 */
abstract class TunnelLoop implements Runnable {
    /** The three fds a loop works on: the TUN packet fd, the UDP socket, and the tunnel's wake-up eventfd. */
    record Fds(int tun, int socket, int wake) {}

    /** Safety net only: close() wakes the loops through the eventfd. */
    private static final int POLL_TIMEOUT_MILLIS = 1000;

    protected final Arena arena = Arena.ofShared();
    protected final MemorySegment cap = NativeIo.newCapture(arena);
    private final MemorySegment pollfds = arena.allocate(2 * NativeIo.POLLFD_SIZE, 8);
    private final int wakeFd;
    private volatile boolean stopping;
    private volatile Exception failure;

    TunnelLoop(int wakeFd) {
        this.wakeFd = wakeFd;
    }

    /** Asks the loop to end; the caller then signals the eventfd. */
    final void requestStop() {
        stopping = true;
    }

    final boolean stopping() {
        return stopping;
    }

    final Exception failure() {
        return failure;
    }

    @Override
    public final void run() {
        try {
            loop();
        } catch (SyscallException | RuntimeException e) {
            failure = e;
            System.getLogger(UdpTunnel.class.getName()).log(System.Logger.Level.WARNING,
                    "udp tunnel thread " + Thread.currentThread().getName() + " failed: " + e.getMessage());
        }
    }

    /** The data path; returns when {@link #stopping()} or throws on a fatal error. */
    abstract void loop() throws SyscallException;

    /**
     * Blocks until {@code fd} has one of {@code events}, the tunnel is stopping, or the safety timeout passes.
     * Returns the revents of {@code fd} (0 on timeout or stop). Throws on a failed poll or on
     * {@code POLLNVAL}/{@code POLLHUP}/{@code POLLERR} when {@code errorsAreFatal}.
     */
    final int await(int fd, int events, boolean errorsAreFatal, String what) throws SyscallException {
        pollfds.set(ValueLayout.JAVA_INT, 0, fd);
        pollfds.set(ValueLayout.JAVA_SHORT, 4, (short) events);
        pollfds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        pollfds.set(ValueLayout.JAVA_INT, 8, wakeFd);
        pollfds.set(ValueLayout.JAVA_SHORT, 12, (short) NativeIo.POLLIN);
        pollfds.set(ValueLayout.JAVA_SHORT, 14, (short) 0);
        int rc = NativeIo.poll(cap, pollfds, 2, POLL_TIMEOUT_MILLIS);
        if (rc < 0) throw new SyscallException("poll", Errno.of(-rc), what);
        if (stopping) return 0;
        int revents = pollfds.get(ValueLayout.JAVA_SHORT, 6) & 0xffff;
        int bad = NativeIo.POLLNVAL | (errorsAreFatal ? NativeIo.POLLERR | NativeIo.POLLHUP : 0);
        if ((revents & bad) != 0) {
            throw new SyscallException("poll", Errno.EIO, what + " reported revents 0x" + Integer.toHexString(revents));
        }
        return revents;
    }

    /** Frees the loop's off-heap memory; only after its thread has ended. */
    final void free() {
        arena.close();
    }

    /** The TUN → UDP direction's counters (single writer: the loop thread; published once per batch). */
    abstract static class Tx extends TunnelLoop {
        volatile long txPackets;
        volatile long txBytes;
        volatile long dropsNoRoute;
        volatile long dropsTtl;
        volatile long dropsMalformed;
        volatile long icmpSent;
        volatile long errors;
        volatile long batches;
        volatile long tunReads;

        Tx(int wakeFd) {
            super(wakeFd);
        }
    }

    /** The UDP → TUN direction's counters (single writer: the loop thread; published once per batch). */
    abstract static class Rx extends TunnelLoop {
        volatile long rxPackets;
        volatile long rxBytes;
        volatile long dropsMalformed;
        volatile long errors;
        volatile long batches;
        volatile long tunWrites;

        Rx(int wakeFd) {
            super(wakeFd);
        }

        /**
         * The receive loop of both RX paths: one {@code recvmmsg} of up to a batch, {@link #deliver} it, and
         * {@code poll} only after a partial batch (the socket is drained then, so in steady state recvmmsg
         * never fails with EAGAIN, which keeps its errno-capturing retry off the hot path).
         */
        final void receive(int sockFd, MmsgBatch batch) throws SyscallException {
            while (!stopping()) {
                int n = NativeIo.recvmmsg(cap, sockFd, batch.messagesFrom(0), batch.size(), NativeIo.MSG_DONTWAIT);
                if (n > 0) {
                    deliver(n);
                    if (n == batch.size()) continue; // probably more queued: no poll in between
                } else if (n < 0 && isFatal(-n)) {
                    throw new SyscallException("recvmmsg", Errno.of(-n), "udp socket");
                } else if (n < 0 && n != -NativeIo.EAGAIN) {
                    errors++; // a pending socket error (e.g. from ICMP); reading it cleared it
                }
                await(sockFd, NativeIo.POLLIN, false, "udp socket");
            }
        }

        /** Handles the {@code n} datagrams the last {@code recvmmsg} put in the batch. */
        abstract void deliver(int n);
    }

    /** Errors after which a file descriptor is unusable (the device or socket is gone). */
    static boolean isFatal(int errno) {
        return errno == 9 /* EBADF */ || errno == 77 /* EBADFD */ || errno == 5 /* EIO */ || errno == 14 /* EFAULT */;
    }
}
