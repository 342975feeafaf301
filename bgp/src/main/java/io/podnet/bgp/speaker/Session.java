package io.podnet.bgp.speaker;

import io.podnet.bgp.fsm.Negotiated;
import io.podnet.bgp.fsm.SessionFsm;
import io.podnet.bgp.fsm.Timer;
import io.podnet.bgp.md5.NativeSocket;
import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.BgpMessage;
import io.podnet.bgp.message.CodecOptions;
import io.podnet.bgp.message.MalformedMessageException;
import io.podnet.bgp.message.MessageCodec;
import io.podnet.bgp.message.OpenMessage;
import java.io.IOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One connection attempt to a peer: its {@link SessionFsm} plus, while connected, the socket with a reader
 * thread (decodes messages and posts them to the RIB thread) and a writer thread (drains a queue, batching
 * small messages into one write), and what this session learnt: families disabled after a malformed MP
 * attribute (RFC 4760 §7), families whose End-of-RIB arrived (RFC 4724 §2, RFC 7313 §4), enhanced route
 * refreshes in progress (RFC 7313 §4). All fields except the I/O threads' own are touched only on the RIB
 * thread.
 */
final class Session {
    private static final byte[] CLOSE = new byte[0];
    private static final int IN_FLIGHT = 16;

    /** Written to the writer's queue by {@link #mark()}: completes once everything queued before it was written. */
    private record Marker(CompletableFuture<Void> done) {}

    final SessionFsm fsm;
    boolean initiatedLocally;
    final Map<Timer, Scheduler.Cancellable> timers = new EnumMap<>(Timer.class);
    final int[] timerGen = new int[Timer.values().length];
    Transport.Channel channel;
    int channelGen;
    int connectGen;
    boolean dead;
    boolean suppressConnect;
    CodecOptions codec = CodecOptions.DEFAULT;
    Negotiated negotiated;
    final Set<AfiSafi> disabled = new HashSet<>(2);
    /** The negotiated families not disabled: what received UPDATEs may carry. */
    Set<AfiSafi> accepted = Set.of();
    InboundFilter.NextHopRules nextHopRules;
    final Set<AfiSafi> endOfRibReceived = new HashSet<>(2);
    /** Families between a received BoRR and its EoRR, with the timer bounding how long stale routes stay. */
    final Map<AfiSafi, Scheduler.Cancellable> refreshing = new HashMap<>(2);
    private LinkedBlockingQueue<Object> out;
    /** Completes when the writer of the current (or last) connection has finished and closed the socket. */
    CompletableFuture<Void> writerDone = CompletableFuture.completedFuture(null);

    Session(SessionFsm fsm, boolean initiatedLocally) {
        this.fsm = fsm;
        this.initiatedLocally = initiatedLocally;
    }

    /** A decoded message or a decoding failure, tagged with the channel generation it came from. */
    sealed interface Inbound {
        int gen();
    }

    record Received(int gen, BgpMessage message, MalformedMessageException tolerated) implements Inbound {}

    record Failed(int gen, MalformedMessageException error, int type) implements Inbound {}

    record Closed(int gen, String why) implements Inbound {}

    /** Attaches a connected socket and starts its reader and writer threads. */
    void attach(Transport.Channel ch, OpenMessage localOpen, BiConsumer<Inbound, Runnable> inbound) {
        channel = ch;
        int gen = ++channelGen;
        // Back-pressure: at most IN_FLIGHT decoded messages wait for the RIB thread; then the reader stops
        // reading and TCP flow control slows the peer down, instead of a full table piling up in memory.
        Semaphore permits = new Semaphore(IN_FLIGHT);
        Consumer<Inbound> bounded = in -> {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            inbound.accept(in, permits::release);
        };
        out = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Object> q = out;
        CompletableFuture<Void> done = new CompletableFuture<>();
        writerDone = done;
        boolean platform = ch instanceof NativeSocket;
        Thread.Builder b = platform ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        b.name("bgp-read-" + ch.remoteAddress()).start(() -> readLoop(ch, gen, localOpen, bounded));
        b.name("bgp-write-" + ch.remoteAddress()).start(() -> writeLoop(ch, q, done));
    }

    boolean connected() { return channel != null; }

    void send(byte[] message) {
        if (out != null) out.add(message);
    }

    /**
     * Completes once everything queued so far has been written (at once when not connected; when closing,
     * once the socket is closed).
     */
    CompletableFuture<Void> mark() {
        if (out == null) return writerDone;
        CompletableFuture<Void> f = new CompletableFuture<>();
        out.add(new Marker(f));
        return CompletableFuture.anyOf(f, writerDone).thenApply(x -> null); // a writer that died completes it too
    }

    /** Forgets what the last connection learnt (a new connection starts from scratch). */
    void resetProtocolState() {
        disabled.clear();
        accepted = Set.of();
        endOfRibReceived.clear();
        refreshing.values().forEach(Scheduler.Cancellable::cancel);
        refreshing.clear();
    }

    /** Flushes what was queued (e.g. a NOTIFICATION), then closes the socket. */
    void closeAfterFlush() {
        if (out != null) out.add(CLOSE);
        out = null;
        channel = null;
        channelGen++;
    }

    /** Closes at once without sending anything queued. */
    void abort() {
        Transport.Channel ch = channel;
        channel = null;
        out = null;
        channelGen++;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a dead socket
            }
        }
    }

    private static void readLoop(Transport.Channel ch, int gen, OpenMessage localOpen, Consumer<Inbound> inbound) {
        byte[] hdr = new byte[MessageCodec.HEADER_LENGTH];
        CodecOptions codec = CodecOptions.DEFAULT;
        try {
            while (true) {
                if (!readFully(ch, hdr, 0, hdr.length)) {
                    inbound.accept(new Closed(gen, "connection closed by peer"));
                    return;
                }
                int len;
                try {
                    len = MessageCodec.frameLength(hdr, 0, codec);
                } catch (MalformedMessageException e) {
                    inbound.accept(new Failed(gen, e, hdr[18] & 0xff));
                    return;
                }
                byte[] msg = new byte[len];
                System.arraycopy(hdr, 0, msg, 0, hdr.length);
                if (!readFully(ch, msg, hdr.length, len - hdr.length)) {
                    inbound.accept(new Closed(gen, "connection closed mid-message"));
                    return;
                }
                try {
                    BgpMessage m = MessageCodec.decode(msg, codec);
                    // Options that change the wire format apply from the first message after OPEN.
                    if (m instanceof OpenMessage o) codec = Negotiated.of(localOpen, o).codec();
                    inbound.accept(new Received(gen, m, null));
                } catch (MalformedMessageException e) {
                    if (e.salvaged().isPresent()) {
                        inbound.accept(new Received(gen, e.salvaged().get(), e)); // RFC 7606: keep the session
                    } else {
                        inbound.accept(new Failed(gen, e, msg[18] & 0xff));
                        return;
                    }
                }
            }
        } catch (IOException e) {
            inbound.accept(new Closed(gen, "read failed: " + e.getMessage()));
        }
    }

    private static boolean readFully(Transport.Channel ch, byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = ch.read(b, off, len);
            if (n < 0) return false;
            off += n;
            len -= n;
        }
        return true;
    }

    /**
     * Drains the queue; messages that are already waiting are coalesced into one write of at most 64 KiB.
     * No per-connection buffer is kept, so thousands of idle sessions cost little memory. Markers complete in
     * order, after what was queued before them; when the writer ends, the remaining ones complete too.
     */
    private static void writeLoop(Transport.Channel ch, LinkedBlockingQueue<Object> q, CompletableFuture<Void> done) {
        try {
            while (true) {
                Object o = q.take();
                if (o == CLOSE) break;
                if (o instanceof Marker mk) {
                    mk.done().complete(null);
                    continue;
                }
                byte[] m = (byte[]) o;
                if (!(q.peek() instanceof byte[] next) || next == CLOSE) {
                    ch.write(m, 0, m.length);
                    continue;
                }
                java.util.List<byte[]> batch = new java.util.ArrayList<>();
                batch.add(m);
                int n = m.length;
                while (q.peek() instanceof byte[] b && b != CLOSE && n + b.length <= 65536 + 4096) {
                    batch.add((byte[]) q.poll());
                    n += b.length;
                }
                byte[] buf = new byte[n]; // exactly what is sent: no 68 KB buffer for two small messages
                int off = 0;
                for (byte[] b : batch) {
                    System.arraycopy(b, 0, buf, off, b.length);
                    off += b.length;
                }
                ch.write(buf, 0, n);
            }
        } catch (IOException | InterruptedException e) {
            // the reader notices the broken connection and reports it
        } finally {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already closed
            }
            for (Object o : q) if (o instanceof Marker mk) mk.done().complete(null);
            done.complete(null);
        }
    }
}
