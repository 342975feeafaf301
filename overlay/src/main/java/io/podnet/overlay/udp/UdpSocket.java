package io.podnet.overlay.udp;

import io.podnet.net.IpAddress;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Errno;
import io.podnet.rtnetlink.sys.Libc;
import io.podnet.rtnetlink.SyscallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The tunnel's UDP socket: {@code AF_INET}/{@code SOCK_DGRAM}, non-blocking, bound to the node's underlay
 * address and port (flannel: {@code ListenUDP} on the public IP, port {@value #FLANNEL_PORT}). It is opened
 * inside the node's namespace on a platform thread and then used from the tunnel threads (a socket stays in
 * the namespace it was created in). Socket buffers are raised to {@link #BUFFER_BYTES} (forced past
 * {@code net.core.*mem_max} when privileged) so bursts are not dropped between two {@code recvmmsg} calls.
 */
public final class UdpSocket implements AutoCloseable {
    /** flannel's udp backend port. */
    public static final int FLANNEL_PORT = 8285;
    static final int BUFFER_BYTES = 4 << 20;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int SO_RCVBUFFORCE = 33;

    private final int fd;
    private final IpAddress local;
    private final int port;
    private volatile boolean closed;

    private UdpSocket(int fd, IpAddress local, int port) {
        this.fd = fd;
        this.local = local;
        this.port = port;
    }

    /**
     * Opens a socket in {@code ns} bound to {@code local:port} (IPv4; 0.0.0.0 binds every address). Throws
     * {@link SyscallException} with the errno on failure (e.g. EADDRNOTAVAIL when {@code local} is not an
     * address of that namespace, EADDRINUSE) and leaks no fd.
     */
    public static UdpSocket open(NetNs ns, IpAddress local, int port) throws IOException {
        if (!local.isV4()) throw new IllegalArgumentException("udp backend underlay must be IPv4: " + local);
        if (port < 0 || port > 0xffff) throw new IllegalArgumentException("bad UDP port " + port);
        int fd = ns.isCurrent() ? openBound(local, port) : Namespaces.runIn(ns, () -> openBound(local, port));
        return new UdpSocket(fd, local, port);
    }

    private static int openBound(IpAddress local, int port) throws SyscallException {
        int fd = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC | NativeIo.SOCK_NONBLOCK, 0);
        try (Arena a = Arena.ofConfined()) {
            raiseBuffer(fd, SO_SNDBUFFORCE, Libc.SO_SNDBUF);
            raiseBuffer(fd, SO_RCVBUFFORCE, Libc.SO_RCVBUF);
            MemorySegment sin = a.allocate(MmsgBatch.SOCKADDR_IN, 8);
            sin.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
            sin.set(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
            sin.set(ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), 4, local.v4Int());
            Libc.bind(fd, sin);
            return fd;
        } catch (SyscallException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static void raiseBuffer(int fd, int forced, int plain) throws SyscallException {
        try {
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, forced, BUFFER_BYTES);
        } catch (SyscallException e) {
            if (e.errno().code() != Errno.EPERM.code()) throw e;
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, plain, BUFFER_BYTES);
        }
    }

    public int fd() { return fd; }

    public IpAddress localAddress() { return local; }

    public int port() { return port; }

    @Override
    public void close() throws SyscallException {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }

    @Override
    public String toString() { return "UdpSocket[" + local + ":" + port + " fd=" + fd + "]"; }
}
