package io.podnet.bgp.md5;

import io.podnet.bgp.speaker.Transport;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A blocking TCP socket made through libc with the FFM API, so TCP-MD5 signatures (RFC 2385) can be turned
 * on with {@code setsockopt(IPPROTO_TCP, TCP_MD5SIG, struct tcp_md5sig)} before connect (outgoing) or on the
 * listening socket per peer address (incoming). Calls block the calling thread, so the speaker reads these
 * sockets on platform threads ({@link #blocksCarrier()}).
 */
public final class NativeSocket implements Transport.Channel {
    private final int fd;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final java.util.List<io.podnet.net.IpPrefix> subnets;
    private final AtomicBoolean closed = new AtomicBoolean();

    private NativeSocket(int fd, InetSocketAddress local, InetSocketAddress remote) {
        this.fd = fd;
        this.local = local;
        this.remote = remote;
        this.subnets = io.podnet.bgp.speaker.TcpTransport.subnetsOf(local.getAddress()); // where the socket was made
    }

    /** Native reads pin a virtual thread's carrier; callers should read from a platform thread. */
    public boolean blocksCarrier() { return true; }

    /** Connects with TCP-MD5 {@code key}; the connect timeout uses SO_SNDTIMEO (honoured by Linux connect). */
    public static NativeSocket connect(InetSocketAddress remote, Optional<InetAddress> localAddr, String key, Duration timeout)
            throws IOException {
        int af = remote.getAddress() instanceof Inet6Address ? Libc.AF_INET6 : Libc.AF_INET;
        int fd = open(af);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(arena);
            setMd5(fd, remote.getAddress(), key, arena);
            setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1, arena);
            MemorySegment tv = arena.allocate(16);
            tv.set(ValueLayout.JAVA_LONG, 0, Math.max(1, timeout.toSeconds()));
            Libc.check(Libc.callInt(Libc.SETSOCKOPT, err, fd, Libc.SOL_SOCKET, Libc.SO_SNDTIMEO, tv, 16), "setsockopt(SO_SNDTIMEO)", err);
            if (localAddr.isPresent()) {
                MemorySegment sa = SockAddr.encode(arena, new InetSocketAddress(localAddr.get(), 0));
                Libc.check(Libc.callInt(Libc.BIND, err, fd, sa, (int) sa.byteSize()), "bind", err);
            }
            MemorySegment sa = SockAddr.encode(arena, remote);
            Libc.check(Libc.callInt(Libc.CONNECT, err, fd, sa, (int) sa.byteSize()), "connect " + remote, err);
            tv.fill((byte) 0);
            Libc.check(Libc.callInt(Libc.SETSOCKOPT, err, fd, Libc.SOL_SOCKET, Libc.SO_SNDTIMEO, tv, 16), "setsockopt(SO_SNDTIMEO)", err);
            return new NativeSocket(fd, name(fd, Libc.GETSOCKNAME, arena), remote);
        } catch (IOException | RuntimeException e) {
            closeFd(fd);
            throw e;
        }
    }

    /** A listening socket that accepts TCP-MD5 keys per peer. */
    public static NativeListener listen(InetSocketAddress local) throws IOException {
        int af = local.getAddress() instanceof Inet6Address ? Libc.AF_INET6 : Libc.AF_INET;
        int fd = open(af);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(arena);
            setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, arena);
            MemorySegment sa = SockAddr.encode(arena, local);
            Libc.check(Libc.callInt(Libc.BIND, err, fd, sa, (int) sa.byteSize()), "bind " + local, err);
            Libc.check(Libc.callInt(Libc.LISTEN, err, fd, 64), "listen", err);
            return new NativeListener(fd, name(fd, Libc.GETSOCKNAME, arena));
        } catch (IOException | RuntimeException e) {
            closeFd(fd);
            throw e;
        }
    }

    private static int open(int af) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSlot(arena);
            return (int) Libc.check(Libc.callInt(Libc.SOCKET, err, af, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0), "socket", err);
        }
    }

    private static void setInt(int fd, int level, int opt, int value, Arena arena) throws IOException {
        MemorySegment err = Libc.errnoSlot(arena);
        MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
        v.set(ValueLayout.JAVA_INT, 0, value);
        Libc.check(Libc.callInt(Libc.SETSOCKOPT, err, fd, level, opt, v, 4), "setsockopt(" + level + "," + opt + ")", err);
    }

    /** struct tcp_md5sig: sockaddr_storage tcpm_addr (128) | u8 flags | u8 prefixlen | u16 keylen | int ifindex | key[80]. */
    static void setMd5(int fd, InetAddress peer, String key, Arena arena) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length == 0 || k.length > 80) throw new IOException("TCP-MD5 key must be 1..80 bytes");
        MemorySegment sig = arena.allocate(Libc.TCP_MD5SIG_SIZE);
        MemorySegment sa = SockAddr.encode(arena, new InetSocketAddress(peer, 0));
        sig.asSlice(0, sa.byteSize()).copyFrom(sa);
        sig.set(ValueLayout.JAVA_SHORT, 130, (short) k.length);
        MemorySegment.copy(MemorySegment.ofArray(k), 0, sig, 136, k.length);
        MemorySegment err = Libc.errnoSlot(arena);
        Libc.check(Libc.callInt(Libc.SETSOCKOPT, err, fd, Libc.IPPROTO_TCP, Libc.TCP_MD5SIG, sig, Libc.TCP_MD5SIG_SIZE),
                "setsockopt(TCP_MD5SIG)", err);
    }

    static InetSocketAddress name(int fd, java.lang.invoke.MethodHandle call, Arena arena) throws IOException {
        MemorySegment err = Libc.errnoSlot(arena);
        MemorySegment sa = arena.allocate(128);
        MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
        len.set(ValueLayout.JAVA_INT, 0, 128);
        Libc.check(Libc.callInt(call, err, fd, sa, len), "getsockname", err);
        return SockAddr.decode(sa);
    }

    static void closeFd(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            Libc.callInt(Libc.CLOSE, Libc.errnoSlot(arena), fd);
        } catch (IOException ignored) {
            // nothing useful to do: the descriptor is gone either way
        }
    }

    static NativeSocket accepted(int fd, InetSocketAddress local, InetSocketAddress remote) {
        return new NativeSocket(fd, local, remote);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(len);
            MemorySegment err = Libc.errnoSlot(arena);
            while (true) {
                long n = Libc.callLong(Libc.READ, err, fd, buf, (long) len);
                if (n < 0 && Libc.errno(err) == Libc.EINTR) continue;
                Libc.check(n, "read", err);
                if (n == 0) return -1;
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                return (int) n;
            }
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(len);
            MemorySegment.copy(b, off, buf, ValueLayout.JAVA_BYTE, 0, len);
            MemorySegment err = Libc.errnoSlot(arena);
            long done = 0;
            while (done < len) {
                long n = Libc.callLong(Libc.WRITE, err, fd, buf.asSlice(done), len - done);
                if (n < 0 && Libc.errno(err) == Libc.EINTR) continue;
                done += Libc.check(n, "write", err);
            }
        }
    }

    @Override
    public InetSocketAddress localAddress() { return local; }

    @Override
    public InetSocketAddress remoteAddress() { return remote; }

    @Override
    public java.util.List<io.podnet.net.IpPrefix> localSubnets() { return subnets; }

    /** shutdown() first so a thread blocked in read() returns, then close(). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try (Arena arena = Arena.ofConfined()) {
            Libc.callInt(Libc.SHUTDOWN, Libc.errnoSlot(arena), fd, Libc.SHUT_RDWR);
        } catch (IOException ignored) {
            // already disconnected
        }
        closeFd(fd);
    }

    /** sockaddr_in / sockaddr_in6 encoding (family in host order, port and address in network order). */
    static final class SockAddr {
        private SockAddr() {}

        static MemorySegment encode(Arena arena, InetSocketAddress a) {
            byte[] ip = a.getAddress().getAddress();
            boolean v6 = a.getAddress() instanceof Inet6Address;
            MemorySegment s = arena.allocate(v6 ? 28 : 16);
            s.set(ValueLayout.JAVA_SHORT, 0, (short) (v6 ? Libc.AF_INET6 : Libc.AF_INET));
            s.set(ValueLayout.JAVA_BYTE, 2, (byte) (a.getPort() >>> 8));
            s.set(ValueLayout.JAVA_BYTE, 3, (byte) a.getPort());
            MemorySegment.copy(MemorySegment.ofArray(ip), 0, s, v6 ? 8 : 4, ip.length);
            return s;
        }

        static InetSocketAddress decode(MemorySegment s) throws IOException {
            int family = s.get(ValueLayout.JAVA_SHORT, 0);
            int port = ((s.get(ValueLayout.JAVA_BYTE, 2) & 0xff) << 8) | (s.get(ValueLayout.JAVA_BYTE, 3) & 0xff);
            byte[] ip = family == Libc.AF_INET6 ? s.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE) : s.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
            try {
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            } catch (UnknownHostException e) {
                throw new IOException(e);
            }
        }
    }

    /** A native listening socket. */
    public static final class NativeListener implements Transport.Listener {
        private final int fd;
        private final InetSocketAddress local;
        private final AtomicBoolean closed = new AtomicBoolean();

        NativeListener(int fd, InetSocketAddress local) {
            this.fd = fd;
            this.local = local;
        }

        @Override
        public Transport.Channel accept() throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = Libc.errnoSlot(arena);
                MemorySegment sa = arena.allocate(128);
                MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
                while (true) {
                    len.set(ValueLayout.JAVA_INT, 0, 128);
                    int c = Libc.callInt(Libc.ACCEPT, err, fd, sa, len, Libc.SOCK_CLOEXEC);
                    if (c < 0 && Libc.errno(err) == Libc.EINTR) continue;
                    Libc.check(c, "accept", err);
                    InetSocketAddress remote = SockAddr.decode(sa);
                    try {
                        setInt(c, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1, arena);
                        return accepted(c, name(c, Libc.GETSOCKNAME, arena), remote);
                    } catch (IOException e) {
                        closeFd(c);
                        throw e;
                    }
                }
            }
        }

        @Override
        public boolean setMd5Key(InetAddress peer, String key) throws IOException {
            try (Arena arena = Arena.ofConfined()) {
                setMd5(fd, peer, key, arena);
                return true;
            }
        }

        @Override
        public InetSocketAddress localAddress() { return local; }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) return;
            try (Arena arena = Arena.ofConfined()) {
                Libc.callInt(Libc.SHUTDOWN, Libc.errnoSlot(arena), fd, Libc.SHUT_RDWR);
            } catch (IOException ignored) {
                // not connected: fine for a listener
            }
            closeFd(fd);
        }

        /** Native accept() blocks its thread. */
        public boolean blocksCarrier() { return true; }
    }

    static boolean isV4(InetAddress a) { return a instanceof Inet4Address; }
}
