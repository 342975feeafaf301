package io.podnet.rtnetlink.sys;

import io.podnet.rtnetlink.Errno;
import io.podnet.rtnetlink.SyscallException;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * libc bindings through the FFM API. Every call captures errno right after the native call returns
 * ({@link Linker.Option#captureCallState}), so no JVM activity can clobber it. The handles are immutable
 * constants; calls are thread-safe (each thread has its own errno capture buffer).
 */
public final class Libc {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_BRIDGE = 7;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_ATTACH_FILTER = 26;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;
    public static final int MSG_PEEK = 2;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> CAPTURE_BUF =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = bind("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = bind("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = bind("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = bind("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle READ = bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UNSHARE = bind("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MOUNT = bind("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = bind("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle OPEN = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL = bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));

    private Libc() {}

    private static MethodHandle bind(String name, FunctionDescriptor fd, Linker.Option... extra) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = ERRNO_OPT;
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(sym, fd, opts);
    }

    private static MemorySegment capture() {
        return CAPTURE_BUF.get();
    }

    private static Errno errno(MemorySegment cap) {
        return Errno.of((int) ERRNO.get(cap, 0L));
    }

    private static int check(String call, int rc, MemorySegment cap, String detail) throws SyscallException {
        if (rc < 0) throw new SyscallException(call, errno(cap), detail);
        return rc;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    public static int socket(int domain, int type, int protocol) throws SyscallException {
        MemorySegment cap = capture();
        try {
            return check("socket", (int) SOCKET.invokeExact(cap, domain, type, protocol), cap, null);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void bind(int fd, MemorySegment addr) throws SyscallException {
        MemorySegment cap = capture();
        try {
            check("bind", (int) BIND.invokeExact(cap, fd, addr, (int) addr.byteSize()), cap, null);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void connect(int fd, MemorySegment addr) throws SyscallException {
        MemorySegment cap = capture();
        try {
            check("connect", (int) CONNECT.invokeExact(cap, fd, addr, (int) addr.byteSize()), cap, null);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Fills {@code addr} (its size is the buffer length) with the socket's local address. */
    public static void getsockname(int fd, MemorySegment addr, MemorySegment lenBuf) throws SyscallException {
        MemorySegment cap = capture();
        try {
            lenBuf.set(JAVA_INT, 0, (int) addr.byteSize());
            check("getsockname", (int) GETSOCKNAME.invokeExact(cap, fd, addr, lenBuf), cap, null);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setsockopt(int fd, int level, int name, MemorySegment value) throws SyscallException {
        MemorySegment cap = capture();
        try {
            check("setsockopt", (int) SETSOCKOPT.invokeExact(cap, fd, level, name, value, (int) value.byteSize()), cap,
                    "level " + level + " option " + name);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setsockoptInt(int fd, int level, int name, int value) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            setsockopt(fd, level, name, a.allocateFrom(JAVA_INT, value));
        }
    }

    /** send(2); retries on EINTR. */
    public static long send(int fd, MemorySegment buf, long len, int flags) throws SyscallException {
        MemorySegment cap = capture();
        try {
            while (true) {
                long n = (long) SEND.invokeExact(cap, fd, buf, len, flags);
                if (n >= 0) return n;
                Errno e = errno(cap);
                if (e.code() != Errno.EINTR.code()) throw new SyscallException("send", e, null);
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recv(2); retries on EINTR; returns -1 on EAGAIN (timeout or non-blocking). */
    public static long recv(int fd, MemorySegment buf, long len, int flags) throws SyscallException {
        MemorySegment cap = capture();
        try {
            while (true) {
                long n = (long) RECV.invokeExact(cap, fd, buf, len, flags);
                if (n >= 0) return n;
                Errno e = errno(cap);
                if (e.code() == Errno.EAGAIN.code()) return -1;
                if (e.code() != Errno.EINTR.code()) throw new SyscallException("recv", e, null);
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2); retries on EINTR; returns -1 on EAGAIN. */
    public static long read(int fd, MemorySegment buf, long len) throws SyscallException {
        MemorySegment cap = capture();
        try {
            while (true) {
                long n = (long) READ.invokeExact(cap, fd, buf, len);
                if (n >= 0) return n;
                Errno e = errno(cap);
                if (e.code() == Errno.EAGAIN.code()) return -1;
                if (e.code() != Errno.EINTR.code()) throw new SyscallException("read", e, null);
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2); retries on EINTR. */
    public static long write(int fd, MemorySegment buf, long len) throws SyscallException {
        MemorySegment cap = capture();
        try {
            while (true) {
                long n = (long) WRITE.invokeExact(cap, fd, buf, len);
                if (n >= 0) return n;
                Errno e = errno(cap);
                if (e.code() != Errno.EINTR.code()) throw new SyscallException("write", e, null);
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(2). EINTR is not retried (Linux closes the fd anyway). */
    public static void close(int fd) throws SyscallException {
        MemorySegment cap = capture();
        try {
            int rc = (int) CLOSE.invokeExact(cap, fd);
            if (rc < 0 && errno(cap).code() != Errno.EINTR.code()) throw new SyscallException("close", errno(cap), null);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Moves the calling thread into the namespace {@code fd} refers to. Only on dedicated platform threads. */
    public static void setns(int fd, int nstype) throws SyscallException {
        MemorySegment cap = capture();
        try {
            check("setns", (int) SETNS.invokeExact(cap, fd, nstype), cap, null);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Gives the calling thread new namespaces. Only on dedicated platform threads. */
    public static void unshare(int flags) throws SyscallException {
        MemorySegment cap = capture();
        try {
            check("unshare", (int) UNSHARE.invokeExact(cap, flags), cap, null);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void mount(String source, String target, String fstype, long flags) throws SyscallException {
        MemorySegment cap = capture();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment src = source == null ? MemorySegment.NULL : a.allocateFrom(source);
            MemorySegment fs = fstype == null ? MemorySegment.NULL : a.allocateFrom(fstype);
            check("mount", (int) MOUNT.invokeExact(cap, src, a.allocateFrom(target), fs, flags, MemorySegment.NULL), cap,
                    target);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void umount2(String target, int flags) throws SyscallException {
        MemorySegment cap = capture();
        try (Arena a = Arena.ofConfined()) {
            check("umount2", (int) UMOUNT2.invokeExact(cap, a.allocateFrom(target), flags), cap, target);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int open(String path, int flags) throws SyscallException {
        MemorySegment cap = capture();
        try (Arena a = Arena.ofConfined()) {
            return check("open", (int) OPEN.invokeExact(cap, a.allocateFrom(path), flags, 0), cap, path);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ioctl(int fd, long request, MemorySegment arg) throws SyscallException {
        MemorySegment cap = capture();
        try {
            return check("ioctl", (int) IOCTL.invokeExact(cap, fd, request, arg), cap, "request 0x" + Long.toHexString(request));
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
