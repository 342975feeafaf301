package io.podnet.bgp.md5;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc socket calls the TCP-MD5 transport needs, bound with the FFM API. Every call captures
 * {@code errno} through {@link Linker.Option#captureCallState} so failures report the real error.
 */
final class Libc {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_SNDTIMEO = 21;
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;
    /** {@code <linux/tcp.h>}: TCP_MD5SIG = 14, struct tcp_md5sig is 216 bytes, keys up to 80 bytes. */
    static final int TCP_MD5SIG = 14;
    static final int TCP_MD5SIG_SIZE = 216;
    static final int SHUT_RDWR = 2;
    static final int EINTR = 4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout P = ValueLayout.ADDRESS;

    static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(I, I, I, I));
    static final MethodHandle SETSOCKOPT = fn("setsockopt", FunctionDescriptor.of(I, I, I, I, P, I));
    static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(I, I, P, I));
    static final MethodHandle LISTEN = fn("listen", FunctionDescriptor.of(I, I, I));
    static final MethodHandle ACCEPT = fn("accept4", FunctionDescriptor.of(I, I, P, P, I));
    static final MethodHandle CONNECT = fn("connect", FunctionDescriptor.of(I, I, P, I));
    static final MethodHandle READ = fn("read", FunctionDescriptor.of(L, I, P, L));
    static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(L, I, P, L));
    static final MethodHandle SHUTDOWN = fn("shutdown", FunctionDescriptor.of(I, I, I));
    static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(I, I));
    static final MethodHandle GETSOCKNAME = fn("getsockname", FunctionDescriptor.of(I, I, P, P));
    static final MethodHandle GETPEERNAME = fn("getpeername", FunctionDescriptor.of(I, I, P, P));

    private Libc() {}

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        MemorySegment sym = LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name));
        return LINKER.downcallHandle(sym, d, Linker.Option.captureCallState("errno"));
    }

    /** A per-call errno capture segment. */
    static MemorySegment errnoSlot(Arena arena) { return arena.allocate(CAPTURE); }

    static int errno(MemorySegment slot) { return (int) ERRNO.get(slot, 0L); }

    /** Throws an IOException naming the call and errno when {@code rc < 0}. */
    static long check(long rc, String call, MemorySegment slot) throws IOException {
        if (rc < 0) throw new IOException(call + " failed: errno " + errno(slot) + " (" + describe(errno(slot)) + ")");
        return rc;
    }

    static String describe(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 4 -> "EINTR";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN/timeout";
            case 13 -> "EACCES";
            case 22 -> "EINVAL";
            case 98 -> "EADDRINUSE";
            case 99 -> "EADDRNOTAVAIL";
            case 101 -> "ENETUNREACH";
            case 104 -> "ECONNRESET";
            case 110 -> "ETIMEDOUT";
            case 111 -> "ECONNREFUSED";
            case 113 -> "EHOSTUNREACH";
            case 115 -> "EINPROGRESS";
            default -> "errno " + errno;
        };
    }

    /** Invokes a handle that returns int, converting Throwable into IOException/Error. */
    static int callInt(MethodHandle h, Object... args) throws IOException {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    static long callLong(MethodHandle h, Object... args) throws IOException {
        try {
            return (long) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }
}
