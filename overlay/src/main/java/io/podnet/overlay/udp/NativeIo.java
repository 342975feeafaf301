package io.podnet.overlay.udp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few syscalls the udp data path needs beyond {@code io.podnet.rtnetlink.sys.Libc}: {@code sendmmsg(2)},
 * {@code recvmmsg(2)}, {@code poll(2)}, {@code read(2)}/{@code write(2)}/{@code writev(2)} on the TUN fd,
 * {@code fcntl(2)}, {@code dup3(2)} and {@code eventfd(2)}. Calls return the kernel convention — a non-negative result or {@code -errno} — and never
 * throw on a syscall failure, so rejected packets cost no exception.
 *
 * <p>No allocation on success: a downcall bound with errno capture runs
 * {@code SharedUtils.checkCaptureSegment}, which slices the capture segment and, measured, C2 does not always
 * scalar-replace that slice. So every data-path call first goes through a handle <em>without</em> capture;
 * only when it returns -1 is the same call repeated through the capturing handle to learn the errno. That is
 * sound because each of these calls is a no-op when it fails (poll; a non-blocking recvmmsg that received
 * nothing; a sendmmsg whose first message was not sent; read/write of a packet). The per-packet TUN
 * read/write skip even that and return -1 on any failure (the TUN→UDP loop's poll reports a dead device).
 * Each thread passes its own capture buffer from {@link #newCapture}, allocated once.
 */
final class NativeIo {
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int POLLIN = 0x1;
    static final int POLLERR = 0x8;
    static final int POLLHUP = 0x10;
    static final int POLLNVAL = 0x20;
    static final int F_GETFL = 3;
    static final int F_SETFL = 4;
    static final int O_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_TRUNC = 0x20;
    static final int SOCK_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int SOL_UDP = 17;
    /** setsockopt / cmsg type: UDP GSO segment size (Linux 4.18). */
    static final int UDP_SEGMENT = 103;
    /** setsockopt: receive coalesced datagrams; cmsg type: their segment size (Linux 5.0). */
    static final int UDP_GRO = 104;

    /** {@code struct pollfd { int fd; short events; short revents; }}. */
    static final long POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final FunctionDescriptor SENDMMSG_FD = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor RECVMMSG_FD =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
    private static final FunctionDescriptor POLL_FD = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final FunctionDescriptor RW_FD = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final MethodHandle SENDMMSG = plain("sendmmsg", SENDMMSG_FD);
    private static final MethodHandle SENDMMSG_ERRNO = bind("sendmmsg", SENDMMSG_FD);
    private static final MethodHandle RECVMMSG = plain("recvmmsg", RECVMMSG_FD);
    private static final MethodHandle RECVMMSG_ERRNO = bind("recvmmsg", RECVMMSG_FD);
    private static final MethodHandle POLL = plain("poll", POLL_FD);
    private static final MethodHandle POLL_ERRNO = bind("poll", POLL_FD);
    private static final MethodHandle READ = plain("read", RW_FD);
    private static final MethodHandle WRITE = plain("write", RW_FD);
    private static final MethodHandle READ_AT = plain("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITEV = plain("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle DUP3 = bind("dup3", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCNTL = bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private NativeIo() {}

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd);
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... extra) {
        MemorySegment sym = symbol(name);
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(sym, fd, opts);
    }

    /** An errno capture buffer for one thread, allocated in {@code arena}. */
    static MemorySegment newCapture(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    private static int errno(MemorySegment cap) {
        return (int) ERRNO.get(cap, 0L);
    }

    private static IllegalStateException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** sendmmsg(2): number of messages sent, or {@code -errno} if the first one failed. */
    static int sendmmsg(MemorySegment cap, int fd, MemorySegment msgvec, int vlen, int flags) {
        try {
            int n = (int) SENDMMSG.invokeExact(fd, msgvec, vlen, flags);
            while (n < 0) {
                n = (int) SENDMMSG_ERRNO.invokeExact(cap, fd, msgvec, vlen, flags);
                if (n < 0 && errno(cap) != EINTR) return -errno(cap);
            }
            return n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recvmmsg(2) without timeout: number of messages received, or {@code -errno}. */
    static int recvmmsg(MemorySegment cap, int fd, MemorySegment msgvec, int vlen, int flags) {
        try {
            int n = (int) RECVMMSG.invokeExact(fd, msgvec, vlen, flags, MemorySegment.NULL);
            while (n < 0) {
                n = (int) RECVMMSG_ERRNO.invokeExact(cap, fd, msgvec, vlen, flags, MemorySegment.NULL);
                if (n < 0 && errno(cap) != EINTR) return -errno(cap);
            }
            return n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2): number of ready fds (0 on timeout, also when interrupted), or {@code -errno}. */
    static int poll(MemorySegment cap, MemorySegment fds, int nfds, int timeoutMillis) {
        try {
            int n = (int) POLL.invokeExact(fds, (long) nfds, timeoutMillis);
            if (n >= 0) return n;
            n = (int) POLL_ERRNO.invokeExact(cap, fds, (long) nfds, 0);
            if (n >= 0) return n;
            int e = errno(cap);
            return e == EINTR ? 0 : -e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2) of one packet from a non-blocking fd: bytes read, or -1 on any failure (EAGAIN: queue empty). */
    static long read(int fd, MemorySegment buf, long len) {
        try {
            return (long) READ.invokeExact(fd, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * read(2) into the native memory at {@code address} (a pointer passed as an integer, so reading at an
     * offset into a buffer needs no slice object): bytes read, or -1 on any failure.
     */
    static long readAt(int fd, long address, long len) {
        try {
            return (long) READ_AT.invokeExact(fd, address, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2) of one packet: bytes written, or -1 on any failure. */
    static long write(int fd, MemorySegment buf, long len) {
        try {
            return (long) WRITE.invokeExact(fd, buf, len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** writev(2) of one packet in {@code iovcnt} pieces: bytes written, or -1 on any failure. */
    static long writev(int fd, MemorySegment iov, int iovcnt) {
        try {
            return (long) WRITEV.invokeExact(fd, iov, iovcnt);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** dup3(2): makes {@code newFd} refer to {@code oldFd}'s open file (closing what it referred to); 0 or {@code -errno}. */
    static int dup3(MemorySegment cap, int oldFd, int newFd, int flags) {
        try {
            int rc = (int) DUP3.invokeExact(cap, oldFd, newFd, flags);
            return rc < 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets {@code O_NONBLOCK} on the open file description of {@code fd}; {@code -errno} on failure, else 0. */
    static int setNonBlocking(MemorySegment cap, int fd) {
        try {
            int flags = (int) FCNTL.invokeExact(cap, fd, F_GETFL, 0);
            if (flags < 0) return -errno(cap);
            int rc = (int) FCNTL.invokeExact(cap, fd, F_SETFL, flags | O_NONBLOCK);
            return rc < 0 ? -errno(cap) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** eventfd(2) with {@code EFD_NONBLOCK | EFD_CLOEXEC}: the fd, or {@code -errno}. */
    static int eventfd(MemorySegment cap) {
        try {
            int fd = (int) EVENTFD.invokeExact(cap, 0, EFD_NONBLOCK | EFD_CLOEXEC);
            return fd < 0 ? -errno(cap) : fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
