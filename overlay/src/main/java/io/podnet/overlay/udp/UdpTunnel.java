package io.podnet.overlay.udp;

import io.podnet.rtnetlink.TunDevice;
import io.podnet.rtnetlink.Errno;
import io.podnet.rtnetlink.sys.Libc;
import io.podnet.rtnetlink.SyscallException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * flannel's udp backend data path: IP packets read from the TUN device are sent in UDP datagrams (port 8285)
 * to the node that owns the destination subnet, and datagrams from peers are written back to the TUN device.
 * Two platform threads, one per direction, batching with {@code sendmmsg}/{@code recvmmsg} and draining the
 * non-blocking TUN fd, over preallocated off-heap buffers. With TUN offloads (the default, see
 * {@link TunOffload}) they move TCP super-packets of up to 64 KiB: {@link OffloadTunToUdpLoop} segments them
 * into UDP GSO messages, {@link OffloadUdpToTunLoop} receives with UDP GRO and coalesces; otherwise
 * {@link TunToUdpLoop} and {@link UdpToTunLoop} move one packet per TUN read/write.
 *
 * <pre>{@code
 * try (var tunnel = UdpTunnel.start(TunDevice.attach(ns, "flannel0", TUN),
 *                                   UdpSocket.open(ns, publicIp, UdpSocket.FLANNEL_PORT), routes)) {
 *     tunnel.setRoutes(tunnel.routes().with(leaseSubnet, leasePublicIp));   // on a lease event
 *     UdpTunnelStats s = tunnel.stats();
 * }
 * }</pre>
 *
 * <p>The tunnel takes ownership of the TUN device and the socket: {@link #close} stops both threads (they
 * wake at once through an eventfd), waits for them, then closes the fds and frees the buffers. Route updates
 * are a volatile reference swap of an immutable {@link UdpRoutes}; the forwarding thread reads it once per
 * batch. If a thread hits a fatal error (the TUN device was deleted, a fd became invalid) it ends, the error
 * is logged once and kept in {@link #failure()}, and {@link #isRunning()} turns false; the owner restarts.
 */
public final class UdpTunnel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UdpTunnel.class.getName());
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final TunDevice tun;
    private final UdpSocket socket;
    private final int wakeFd;
    private final TunnelLoop.Tx tx;
    private final TunnelLoop.Rx rx;
    private final boolean offloads;
    private final Thread txThread;
    private final Thread rxThread;
    private volatile UdpRoutes routes;
    private boolean closed;

    private UdpTunnel(TunDevice tun, UdpSocket socket, UdpTunnelOptions opts, int wakeFd, Offloads off) {
        this.tun = tun;
        this.socket = socket;
        this.routes = UdpRoutes.empty();
        this.wakeFd = wakeFd;
        this.offloads = off.tun();
        TunnelLoop.Fds fds = new TunnelLoop.Fds(tun.fd(), socket.fd(), wakeFd);
        this.tx = off.tun() ? new OffloadTunToUdpLoop(fds, this, opts, off.udpGso()) : new TunToUdpLoop(fds, this, opts);
        this.rx = off.tun() ? new OffloadUdpToTunLoop(fds, opts) : new UdpToTunLoop(fds, opts);
        this.txThread = Thread.ofPlatform().name("podnet-udp-" + tun.name() + "-tx").daemon(true).unstarted(tx);
        this.rxThread = Thread.ofPlatform().name("podnet-udp-" + tun.name() + "-rx").daemon(true).unstarted(rx);
    }

    /** {@link #start(TunDevice, UdpSocket, UdpRoutes, UdpTunnelOptions)} with {@link UdpTunnelOptions#DEFAULTS}. */
    public static UdpTunnel start(TunDevice tun, UdpSocket socket, UdpRoutes routes) throws SyscallException {
        return start(tun, socket, routes, UdpTunnelOptions.DEFAULTS);
    }

    /** Which offloads a tunnel runs with. */
    private record Offloads(boolean tun, boolean udpGso, boolean udpGro) {}

    /**
     * Turns on TUN offloads if asked (re-attaching the TUN fd with {@code IFF_VNET_HDR}, see
     * {@link TunOffload}) and UDP GSO/GRO on the socket, makes the TUN fd non-blocking and starts both threads.
     * Logs (INFO) which data path runs. On failure nothing is left running; the TUN device and socket are then
     * still the caller's to close.
     */
    public static UdpTunnel start(TunDevice tun, UdpSocket socket, UdpRoutes routes, UdpTunnelOptions opts)
            throws SyscallException {
        Objects.requireNonNull(tun, "tun");
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(opts, "opts");
        Offloads off = offloads(tun, socket, opts);
        UdpTunnel t;
        try {
            t = create(tun, socket, opts, off);
        } catch (SyscallException | RuntimeException | Error e) {
            if (off.tun()) TunOffload.setOffload(tun.fd(), 0); // the caller may hand the device to a plain reader
            throw e;
        }
        t.routes = routes;
        t.txThread.start();
        t.rxThread.start();
        LOG.log(System.Logger.Level.INFO, () -> "udp tunnel started on " + tun.name() + " " + socket
                + " routes=" + routes.size() + (off.tun()
                        ? ": TUN offloads on (TSO4 + checksum; UDP GSO " + onOff(off.udpGso()) + ", UDP GRO "
                          + onOff(off.udpGro()) + ")"
                        : ": per-packet path (TUN offloads " + (opts.offloads() ? "refused by the kernel)" : "off)")));
        return t;
    }

    private static UdpTunnel create(TunDevice tun, UdpSocket socket, UdpTunnelOptions opts, Offloads off)
            throws SyscallException {
        int wake;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = NativeIo.newCapture(a);
            int rc = NativeIo.setNonBlocking(cap, tun.fd());
            if (rc < 0) throw new SyscallException("fcntl", Errno.of(-rc), "O_NONBLOCK on " + tun.name());
            wake = NativeIo.eventfd(cap);
            if (wake < 0) throw new SyscallException("eventfd", Errno.of(-wake), null);
        }
        try {
            return new UdpTunnel(tun, socket, opts, wake, off);
        } catch (RuntimeException | Error e) {
            Libc.close(wake);
            throw e;
        }
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    private static Offloads offloads(TunDevice tun, UdpSocket socket, UdpTunnelOptions opts) throws SyscallException {
        if (!opts.offloads() || !TunOffload.enable(tun)) {
            TunOffload.setOffload(tun.fd(), 0); // a plain reader must never get super-packets
            return new Offloads(false, false, false);
        }
        boolean gso = trySockopt(socket.fd(), NativeIo.UDP_SEGMENT, 0);
        boolean gro = trySockopt(socket.fd(), NativeIo.UDP_GRO, 1);
        return new Offloads(true, gso, gro);
    }

    private static boolean trySockopt(int fd, int name, int value) {
        try {
            Libc.setsockoptInt(fd, NativeIo.SOL_UDP, name, value);
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    /** True if the tunnel runs with TUN offloads (super-packets segmented and coalesced in userspace). */
    public boolean offloadsActive() {
        return offloads;
    }

    /** The current route table. */
    public UdpRoutes routes() {
        return routes;
    }

    /** Replaces the route table atomically; packets read after this call use it. */
    public void setRoutes(UdpRoutes routes) {
        this.routes = Objects.requireNonNull(routes, "routes");
    }

    /** A snapshot of the counters (each counter is exact; the set is not one atomic cut). */
    public UdpTunnelStats stats() {
        return new UdpTunnelStats(tx.txPackets, tx.txBytes, rx.rxPackets, rx.rxBytes, tx.dropsNoRoute, tx.dropsTtl,
                tx.dropsMalformed + rx.dropsMalformed, tx.icmpSent, tx.errors, rx.errors, tx.batches, rx.batches,
                tx.tunReads, rx.tunWrites);
    }

    /** True while both threads run. */
    public boolean isRunning() {
        return txThread.isAlive() && rxThread.isAlive();
    }

    /** The fatal error that ended a thread, if any. */
    public Optional<Exception> failure() {
        Exception f = tx.failure();
        return Optional.ofNullable(f != null ? f : rx.failure());
    }

    public TunDevice tun() {
        return tun;
    }

    public UdpSocket socket() {
        return socket;
    }

    /**
     * Stops both threads (promptly: an eventfd wakes their {@code poll}), waits for them, closes the TUN fd,
     * the socket and the eventfd, and frees the buffers. Idempotent.
     */
    @Override
    public synchronized void close() throws SyscallException {
        if (closed) return;
        closed = true;
        tx.requestStop();
        rx.requestStop();
        signalWake();
        if (!(join(txThread) & join(rxThread))) {
            // never close fds a live thread may still use (the numbers could be reused by the next open)
            LOG.log(System.Logger.Level.WARNING, "udp tunnel threads did not stop within " + JOIN_TIMEOUT
                    + "; leaking their fds and buffers");
            return;
        }
        List<SyscallException> errors = new ArrayList<>();
        if (offloads) TunOffload.setOffload(tun.fd(), 0); // the device may outlive us: no TSO for a plain reader
        closeQuietly(tun::close, errors);
        closeQuietly(socket::close, errors);
        closeQuietly(() -> Libc.close(wakeFd), errors);
        tx.free();
        rx.free();
        LOG.log(System.Logger.Level.DEBUG, () -> "udp tunnel on " + tun.name() + " closed: " + stats());
        if (!errors.isEmpty()) throw errors.getFirst();
    }

    private void signalWake() throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            Libc.write(wakeFd, a.allocateFrom(ValueLayout.JAVA_LONG, 1L), 8);
        }
    }

    private static boolean join(Thread t) {
        try {
            return t.join(JOIN_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private interface Closer {
        void close() throws SyscallException;
    }

    private static void closeQuietly(Closer c, List<SyscallException> errors) {
        try {
            c.close();
        } catch (SyscallException e) {
            errors.add(e);
        }
    }

    @Override
    public String toString() {
        return "UdpTunnel[" + tun.name() + " " + socket + "]";
    }
}
