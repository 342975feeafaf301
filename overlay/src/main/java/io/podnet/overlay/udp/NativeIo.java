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
 * {@code recvmmsg(2)}, {@code poll(2)}, {@code fcntl(2)}, {@code eventfd(2)}, plus allocation-free
 * {@code read}/{@code write}. Unlike {@code Libc}, every call here returns the kernel convention — a
 * non-negative result or {@code -errno} — and never throws on a syscall failure, so the hot path allocates
 * nothing even when packets are rejected. {@code EINTR} is retried inside.
 *
 * <p>Each thread calling these needs its own errno capture buffer; callers pass one from {@link #newCapture}
 * (one per data-path thread, allocated once), so there is no ThreadLocal lookup per call.
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

    /** {@code struct pollfd { int fd; short events; short revents; }}. */
    static final long POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SENDMMSG = bind("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle RECVMMSG = bind("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ = bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle FCNTL = bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle EVENTFD = bind("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private NativeIo() {}

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... extra) {
        MemorySegment sym = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
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
            while (true) {
                int n = (int) SENDMMSG.invokeExact(cap, fd, msgvec, vlen, flags);
                if (n >= 0) return n;
                int e = errno(cap);
                if (e != EINTR) return -e;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recvmmsg(2) without timeout: number of messages received, or {@code -errno}. */
    static int recvmmsg(MemorySegment cap, int fd, MemorySegment msgvec, int vlen, int flags) {
        try {
            while (true) {
                int n = (int) RECVMMSG.invokeExact(cap, fd, msgvec, vlen, flags, MemorySegment.NULL);
                if (n >= 0) return n;
                int e = errno(cap);
                if (e != EINTR) return -e;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2): number of ready fds (0 on timeout, also when interrupted), or {@code -errno}. */
    static int poll(MemorySegment cap, MemorySegment fds, int nfds, int timeoutMillis) {
        try {
            int n = (int) POLL.invokeExact(cap, fds, (long) nfds, timeoutMillis);
            if (n >= 0) return n;
            int e = errno(cap);
            return e == EINTR ? 0 : -e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2): bytes read, or {@code -errno} ({@code -EAGAIN} when a non-blocking fd has nothing). */
    static long read(MemorySegment cap, int fd, MemorySegment buf, long len) {
        try {
            while (true) {
                long n = (long) READ.invokeExact(cap, fd, buf, len);
                if (n >= 0) return n;
                int e = errno(cap);
                if (e != EINTR) return -e;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2): bytes written, or {@code -errno}. */
    static long write(MemorySegment cap, int fd, MemorySegment buf, long len) {
        try {
            while (true) {
                long n = (long) WRITE.invokeExact(cap, fd, buf, len);
                if (n >= 0) return n;
                int e = errno(cap);
                if (e != EINTR) return -e;
            }
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
