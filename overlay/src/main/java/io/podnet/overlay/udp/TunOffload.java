package io.podnet.overlay.udp;

import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.OperState;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.rtnetlink.TunDevice;
import io.podnet.rtnetlink.Errno;
import io.podnet.rtnetlink.sys.Libc;
import io.podnet.rtnetlink.SyscallException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns on TUN offloads for an attached {@link TunDevice} (Linux {@code Documentation/networking/tuntap.rst},
 * {@code include/uapi/linux/if_tun.h}): the fd is re-attached with {@code IFF_VNET_HDR}, the header size set
 * to 10 ({@code TUNSETVNETHDRSZ}) and {@code TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4)} makes the device
 * advertise checksum offload and TSO, so the kernel hands over TCP super-packets of up to 64 KiB with a
 * {@code virtio_net_hdr} and accepts such packets back.
 *
 * <p>{@code IFF_VNET_HDR} can only be chosen when an fd attaches ({@code TUNSETIFF}), and a single-queue device
 * takes one fd at a time, so the attached fd is swapped in place: the device is made persistent for the
 * moment (if it was not), the fd number is pointed at {@code /dev/null} with {@code dup3} (which detaches the
 * old file), a new fd is attached with the flags inside the device's namespace ({@code TUNGETDEVNETNS}) and
 * {@code dup3}'d onto the same number, and persistence is restored. The {@link TunDevice} keeps working with
 * the same fd number; addresses and routes stay (the carrier blinks; {@link #enable} returns once the kernel
 * has the device's queue active again). When any step is unsupported the device
 * is left in (or put back to) plain mode and {@link #enable} returns false.
 */
final class TunOffload {
    static final long TUNSETIFF = 0x400454caL;
    static final long TUNSETPERSIST = 0x400454cbL;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNGETIFF = 0x800454d2L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    static final long TUNGETDEVNETNS = 0x54e3L;
    static final int IFF_TUN = 0x0001;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final int IFF_PERSIST = 0x0800;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;

    static final long OPERATIONAL_WAIT_NANOS = 2_000_000_000L;
    private static final System.Logger LOG = System.getLogger(UdpTunnel.class.getName());

    private TunOffload() {}

    /** Flags of the device {@code fd} is attached to ({@code TUNGETIFF}) and its name. */
    record Attached(String name, int flags) {
        boolean has(int flag) { return (flags & flag) != 0; }
    }

    static Attached attached(int fd) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(40);
            Libc.ioctl(fd, TUNGETIFF, ifr);
            byte[] name = ifr.asSlice(0, 16).toArray(ValueLayout.JAVA_BYTE);
            int n = 0;
            while (n < name.length && name[n] != 0) n++;
            return new Attached(new String(name, 0, n, StandardCharsets.US_ASCII), ifr.get(ValueLayout.JAVA_SHORT, 16) & 0xffff);
        }
    }

    /**
     * Re-attaches {@code tun}'s fd with {@code IFF_VNET_HDR} and TSO4/checksum offloads. Returns true when the
     * fd now carries a virtio_net_hdr on every packet (offloads on), false when it is still (or again) a plain
     * fd. Throws only if the device could not be re-attached at all (then the fd no longer reaches it).
     */
    static boolean enable(TunDevice tun) throws SyscallException {
        int fd = tun.fd();
        Attached at = attached(fd);
        if (at.has(IFF_VNET_HDR)) {
            setOffload(fd, TUN_F_CSUM | TUN_F_TSO4); // packets carry the header either way
            return true;
        }
        if (!at.has(IFF_TUN) || !at.has(IFF_NO_PI)) return false;
        int nsFd;
        try {
            nsFd = Libc.ioctl(fd, TUNGETDEVNETNS, MemorySegment.NULL);
        } catch (SyscallException e) {
            LOG.log(System.Logger.Level.INFO, "TUNGETDEVNETNS unsupported (" + e.getMessage() + "): no TUN offloads");
            return false;
        }
        try {
            if (!at.has(IFF_PERSIST)) Libc.ioctl(fd, TUNSETPERSIST, MemorySegment.ofAddress(1));
            boolean offload = swap(fd, nsFd, at);
            if (!at.has(IFF_PERSIST)) Libc.ioctl(fd, TUNSETPERSIST, MemorySegment.ofAddress(0));
            awaitOperational(NetNs.at(Path.of("/proc/self/fd/" + nsFd)), at.name());
            return offload;
        } finally {
            Libc.close(nsFd);
        }
    }

    private static boolean swap(int fd, int nsFd, Attached at) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = NativeIo.newCapture(a);
            int devNull = Libc.open("/dev/null", Libc.O_RDWR | Libc.O_CLOEXEC);
            int rc = NativeIo.dup3(cap, devNull, fd, NativeIo.O_CLOEXEC); // detaches the old file from the device
            Libc.close(devNull);
            if (rc < 0) throw new SyscallException("dup3", Errno.of(-rc), "detaching " + at.name());
            NetNs ns = NetNs.at(Path.of("/proc/self/fd/" + nsFd));
            int keep = at.flags() & (IFF_NO_PI | IFF_MULTI_QUEUE);
            long reopened;
            try {
                reopened = Namespaces.runIn(ns, () -> reopen(at.name(), keep));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "re-attaching " + at.name() + " with offloads failed ("
                        + e.getMessage() + "); attaching it plain again");
                try {
                    reopened = Namespaces.runIn(ns, () -> (long) attach(at.name(), keep | IFF_TUN));
                } catch (IOException again) {
                    throw again instanceof SyscallException s ? s
                            : new SyscallException("TUNSETIFF", Errno.EIO, again.getMessage());
                }
            }
            int newFd = (int) reopened;
            rc = NativeIo.dup3(cap, newFd, fd, NativeIo.O_CLOEXEC);
            Libc.close(newFd);
            if (rc < 0) throw new SyscallException("dup3", Errno.of(-rc), "re-attaching " + at.name());
            return (reopened >>> 32) != 0;
        }
    }

    /**
     * Waits (at most {@link #OPERATIONAL_WAIT_NANOS}) until the kernel has processed the carrier blink of the
     * re-attach: if its link watcher saw the carrier go down it switched the device's queue to the no-op
     * qdisc, which drops every packet until the "up" event is processed too (Linux {@code linkwatch_do_dev}:
     * operstate first, then {@code dev_activate}). So an up device whose operstate still says DOWN is waited
     * for; a device that is administratively down is not.
     */
    private static void awaitOperational(NetNs ns, String name) {
        long deadline = System.nanoTime() + OPERATIONAL_WAIT_NANOS;
        try (Rtnetlink nl = Rtnetlink.open(ns)) {
            while (System.nanoTime() < deadline) {
                Optional<Link> l = nl.links().get(name);
                if (l.isEmpty() || !l.get().isUp()
                        || (l.get().operState() != OperState.DOWN && l.get().operState() != OperState.LOWERLAYERDOWN)) {
                    return;
                }
                Thread.sleep(2);
            }
            LOG.log(System.Logger.Level.INFO, name + " still reports operstate DOWN after re-attaching; going on");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the operstate of " + name + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Attaches a new fd to {@code name} (in the current thread's namespace) with {@code IFF_VNET_HDR} and
     * offloads; if the offloads are refused, attaches a plain one instead. Returns {@code fd | offload << 32}.
     */
    private static long reopen(String name, int keepFlags) throws SyscallException {
        int fd = attach(name, keepFlags | IFF_TUN | IFF_VNET_HDR);
        try (Arena a = Arena.ofConfined()) {
            Libc.ioctl(fd, TUNSETVNETHDRSZ, a.allocateFrom(ValueLayout.JAVA_INT, VirtioNetHdr.SIZE));
            Libc.ioctl(fd, TUNSETOFFLOAD, MemorySegment.ofAddress(TUN_F_CSUM | TUN_F_TSO4));
            return fd | (1L << 32);
        } catch (SyscallException e) {
            LOG.log(System.Logger.Level.INFO, "TUN offloads refused on " + name + " (" + e.getMessage() + ")");
            Libc.close(fd);
            return attach(name, keepFlags | IFF_TUN);
        }
    }

    private static int attach(String name, int flags) throws SyscallException {
        int fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_CLOEXEC);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifr = a.allocate(40);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
            ifr.set(ValueLayout.JAVA_SHORT, 16, (short) flags);
            Libc.ioctl(fd, TUNSETIFF, ifr);
            return fd;
        } catch (SyscallException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** {@code TUNSETOFFLOAD(flags)}; false if refused. */
    static boolean setOffload(int fd, int flags) {
        try {
            Libc.ioctl(fd, TUNSETOFFLOAD, MemorySegment.ofAddress(flags));
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }
}
