package io.podnet.rtnetlink;

import io.podnet.rtnetlink.message.Nl;
import io.podnet.rtnetlink.message.NlError;
import io.podnet.rtnetlink.message.NlMessage;
import io.podnet.rtnetlink.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@code NETLINK_ROUTE} socket: request/ACK and dump exchanges with sequence numbers, extended acks
 * ({@code NETLINK_EXT_ACK}, capped with {@code NETLINK_CAP_ACK}) and retry of interrupted dumps. Opened in the
 * calling thread's namespace. One exchange at a time (a lock); safe to share between threads.
 */
final class NetlinkSocket implements AutoCloseable {
    static final int BUFFER = 64 * 1024;
    private static final int DUMP_RETRIES = 10;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rx;
    private MemorySegment tx;
    private final byte[] rxBytes = new byte[BUFFER];
    private final ReentrantLock lock = new ReentrantLock();
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    private volatile boolean closed;

    private NetlinkSocket(int fd) {
        this.fd = fd;
        this.rx = arena.allocate(BUFFER);
        this.tx = arena.allocate(4096);
    }

    /** Opens a socket in the calling thread's namespace, subscribed to {@code groups} (0 for none). */
    static NetlinkSocket open(int groups) throws SyscallException {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE);
        try {
            Libc.setsockoptInt(fd, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, 1);
            Libc.setsockoptInt(fd, Libc.SOL_NETLINK, Libc.NETLINK_CAP_ACK, 1);
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, 1 << 20);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment sa = a.allocate(12);
                sa.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_NETLINK);
                sa.set(ValueLayout.JAVA_INT, 8, groups);
                Libc.bind(fd, sa);
            }
        } catch (SyscallException e) {
            Libc.close(fd);
            throw e;
        }
        return new NetlinkSocket(fd);
    }

    int fd() { return fd; }

    /** Sets a receive timeout so a blocked {@link #receive()} returns periodically (for event readers). */
    void setReceiveTimeoutMillis(int millis) throws SyscallException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tv = a.allocate(16);
            tv.set(ValueLayout.JAVA_LONG, 0, millis / 1000);
            tv.set(ValueLayout.JAVA_LONG, 8, (millis % 1000) * 1000L);
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv);
        }
    }

    /**
     * Makes the kernel drop every datagram whose first message is not of one of {@code types} before it reaches
     * this socket (a classic BPF filter, {@link io.podnet.rtnetlink.message.NlTypeFilter}); for event readers.
     */
    void acceptOnly(int... types) throws SyscallException {
        byte[] prog = io.podnet.rtnetlink.message.NlTypeFilter.program(types);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment insns = a.allocate(prog.length, 8);
            MemorySegment.copy(prog, 0, insns, ValueLayout.JAVA_BYTE, 0, prog.length);
            MemorySegment fprog = a.allocate(16, 8); // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            fprog.set(ValueLayout.JAVA_SHORT, 0, (short) (prog.length / io.podnet.rtnetlink.message.NlTypeFilter.INSN));
            fprog.set(ValueLayout.ADDRESS, 8, insns);
            Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_ATTACH_FILTER, fprog);
        }
    }

    /** Sends a request built by {@code build(seq)} and waits for its ACK. */
    void execute(MessageBuilder build, String operation) throws IOException {
        exchange(build, operation, false);
    }

    /** Sends a request answered by a single reply (or an error) and returns it. */
    List<NlMessage> query(MessageBuilder build, String operation) throws IOException {
        return exchange(build, operation, false);
    }

    /** Sends a dump request and collects every reply; retries when the kernel flags the dump as interrupted. */
    List<NlMessage> dump(MessageBuilder build, String operation) throws IOException {
        for (int attempt = 1; attempt <= DUMP_RETRIES; attempt++) {
            try {
                return exchange(build, operation, true);
            } catch (DumpInterruptedException e) {
                // retry
            }
        }
        throw new DumpInterruptedException(operation, DUMP_RETRIES);
    }

    /** Builds one request message for a given sequence number. */
    @FunctionalInterface
    interface MessageBuilder {
        byte[] build(int seq);
    }

    private List<NlMessage> exchange(MessageBuilder build, String operation, boolean dump) throws IOException {
        lock.lock();
        try {
            if (closed) throw new IOException(operation + ": netlink socket closed");
            int mySeq = ++seq;
            byte[] req = build.build(mySeq);
            if (req.length > tx.byteSize()) tx = arena.allocate(Math.max(req.length, 2 * tx.byteSize()));
            MemorySegment.copy(req, 0, tx, ValueLayout.JAVA_BYTE, 0, req.length);
            Libc.send(fd, tx, req.length, 0);
            return collect(mySeq, operation, dump);
        } finally {
            lock.unlock();
        }
    }

    private List<NlMessage> collect(int mySeq, String operation, boolean dump) throws IOException {
        List<NlMessage> out = new ArrayList<>();
        boolean interrupted = false;
        while (true) {
            List<NlMessage> batch = receive();
            if (batch == null) throw new IOException(operation + ": timed out waiting for the kernel");
            for (NlMessage m : batch) {
                if (m.seq() != mySeq) continue; // stale reply of an earlier, abandoned exchange
                if ((m.flags() & Nl.NLM_F_DUMP_INTR) != 0) interrupted = true;
                if (m.isError()) {
                    NlError err = NlError.decode(m);
                    if (err.isAck()) return out;
                    throw error(err, operation);
                }
                if (m.isDone()) {
                    if (m.length() >= Nl.NLMSG_HDRLEN + 4) {
                        int rc = m.buffer().getInt(Nl.NLMSG_HDRLEN);
                        if (rc < 0) throw error(new NlError(-rc, mySeq, Optional.empty(), java.util.OptionalInt.empty()), operation);
                    }
                    if (interrupted) throw new DumpInterruptedException(operation, 1);
                    return out;
                }
                out.add(m);
                if (!dump && (m.flags() & Nl.NLM_F_MULTI) == 0) {
                    // a single reply (e.g. RTM_GETLINK by name) is followed by no ACK unless requested
                    return out;
                }
            }
        }
    }

    static NetlinkException error(NlError err, String operation) {
        return new NetlinkException(Errno.of(err.errno()), err.extAck(), operation);
    }

    /** Receives one datagram and splits it; null on timeout. */
    List<NlMessage> receive() throws SyscallException {
        long n = Libc.recv(fd, rx, BUFFER, Libc.MSG_TRUNC);
        if (n < 0) return null;
        if (n > BUFFER) throw new SyscallException("recv", Errno.ENOBUFS, "netlink message of " + n + " bytes truncated");
        MemorySegment.copy(rx, ValueLayout.JAVA_BYTE, 0, rxBytes, 0, (int) n);
        return NlMessage.split(rxBytes, (int) n);
    }

    boolean isClosed() { return closed; }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            try {
                Libc.close(fd);
            } catch (SyscallException e) {
                // nothing useful to do: the fd is gone either way on Linux
            }
            arena.close();
        } finally {
            lock.unlock();
        }
    }
}
