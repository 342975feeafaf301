package io.podnet.rtnetlink;

import io.podnet.rtnetlink.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A TUN/TAP device through {@code /dev/net/tun}. {@link #createPersistent} makes a device that outlives the
 * fd (like {@code ip tuntap add NAME mode tun}); {@link #attach} opens a packet fd on a device for userspace
 * forwarding (flannel's udp backend reads and writes IP packets here). Packets carry no packet-info header
 * ({@code IFF_NO_PI}).
 */
public final class TunDevice implements AutoCloseable {
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETPERSIST = 0x400454cbL;
    static final long TUNSETOWNER = 0x400454ccL;
    static final short IFF_TUN = 0x0001;
    static final short IFF_TAP = 0x0002;
    static final short IFF_NO_PI = 0x1000;

    private final String name;
    private final int fd;
    private volatile boolean closed;

    private TunDevice(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** Equivalent to {@code ip tuntap add NAME mode tun|tap user $(id -u)} inside {@code ns}. */
    static void createPersistent(NetNs ns, String name, LinkKind.Tuntap.Mode mode) throws IOException {
        Links.checkName(name);
        int uid = currentUid();
        java.util.concurrent.Callable<Void> task = () -> {
            int fd = openTun(name, mode);
            try {
                Libc.ioctl(fd, TUNSETOWNER, MemorySegment.ofAddress(uid));
                Libc.ioctl(fd, TUNSETPERSIST, MemorySegment.ofAddress(1));
            } finally {
                Libc.close(fd);
            }
            return null;
        };
        if (ns.isCurrent()) {
            try {
                task.call();
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        } else {
            Namespaces.runIn(ns, task);
        }
    }

    /** Opens a packet fd on device {@code name} in {@code ns} (creating a non-persistent one if absent). */
    public static TunDevice attach(NetNs ns, String name, LinkKind.Tuntap.Mode mode) throws IOException {
        Links.checkName(name);
        int fd = ns.isCurrent() ? openTun(name, mode) : Namespaces.runIn(ns, () -> openTun(name, mode));
        return new TunDevice(name, fd);
    }

    private static int openTun(String name, LinkKind.Tuntap.Mode mode) throws SyscallException {
        int fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_CLOEXEC);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(40);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
            short flags = (short) ((mode == LinkKind.Tuntap.Mode.TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
            ifr.set(ValueLayout.JAVA_SHORT, 16, flags);
            Libc.ioctl(fd, TUNSETIFF, ifr);
            return fd;
        } catch (SyscallException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static int currentUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) return Integer.parseInt(line.substring(4).strip().split("\\s+")[0]);
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    public String name() { return name; }

    /** The raw fd, for callers that poll it. */
    public int fd() { return fd; }

    /** Reads one packet into {@code buf}; returns its length. Blocks. */
    public int read(MemorySegment buf) throws SyscallException {
        return (int) Libc.read(fd, buf, buf.byteSize());
    }

    /** Writes one packet of {@code len} bytes from {@code buf}. */
    public void write(MemorySegment buf, int len) throws SyscallException {
        Libc.write(fd, buf, len);
    }

    @Override
    public void close() throws SyscallException {
        if (closed) return;
        closed = true;
        Libc.close(fd);
    }
}
