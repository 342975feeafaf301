package io.podnet.bgp.speaker;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link Transport}: connections are two {@link Pipe}s. A test makes an address "listen"
 * ({@link #listenAt}) and takes the far end of each connection the speaker makes to it ({@link #accepted}),
 * or dials the speaker's listener itself ({@link #dial}). Channels report {@code subnets} as the local
 * interface's subnets. No sockets, no ports, no threads of its own.
 */
final class MemoryTransport implements Transport {
    private final IpAddress defaultLocal;
    private final List<IpPrefix> subnets;
    private final Map<InetSocketAddress, BlockingQueue<MemoryChannel>> listening = new ConcurrentHashMap<>();
    private final AtomicInteger ports = new AtomicInteger(40000);
    private volatile BlockingQueue<Channel> speakerListener;

    MemoryTransport(IpAddress defaultLocal, List<IpPrefix> subnets) {
        this.defaultLocal = defaultLocal;
        this.subnets = List.copyOf(subnets);
    }

    /** A connected end: reads {@code in}, writes {@code out}. Closing it closes both directions. */
    static final class MemoryChannel implements Channel {
        final Pipe in;
        final Pipe out;
        private final InetSocketAddress local;
        private final InetSocketAddress remote;
        private final List<IpPrefix> subnets;

        MemoryChannel(Pipe in, Pipe out, InetSocketAddress local, InetSocketAddress remote, List<IpPrefix> subnets) {
            this.in = in;
            this.out = out;
            this.local = local;
            this.remote = remote;
            this.subnets = subnets;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException { return in.read(b, off, len); }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
        @Override public InetSocketAddress localAddress() { return local; }
        @Override public InetSocketAddress remoteAddress() { return remote; }
        @Override public List<IpPrefix> localSubnets() { return subnets; }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }

    /** Connections the speaker makes to {@code address} are accepted; their far ends go to {@link #accepted}. */
    void listenAt(InetSocketAddress address) { listening.putIfAbsent(address, new LinkedBlockingQueue<>()); }

    /** Stops accepting at {@code address} (connections are refused). */
    void stopListening(InetSocketAddress address) { listening.remove(address); }

    /** The far end of the next connection the speaker made to {@code address}. */
    MemoryChannel accepted(InetSocketAddress address, Duration within) throws InterruptedException {
        MemoryChannel c = listening.get(address).poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) throw new AssertionError("the speaker did not connect to " + address + " within " + within);
        return c;
    }

    /** Whether the speaker connected to {@code address} and the test has not taken that connection yet. */
    boolean hasPending(InetSocketAddress address) {
        BlockingQueue<MemoryChannel> q = listening.get(address);
        return q != null && !q.isEmpty();
    }

    /** Connects {@code from} to the speaker's listener; returns the test's end. */
    MemoryChannel dial(InetSocketAddress from, InetSocketAddress to) {
        Pipe a = new Pipe(), b = new Pipe();
        MemoryChannel speakerEnd = new MemoryChannel(a, b, to, from, subnets);
        speakerListener.add(speakerEnd);
        return new MemoryChannel(b, a, from, to, List.of());
    }

    @Override
    public Channel connect(InetSocketAddress remote, Optional<InetAddress> local, Optional<String> md5Key, Duration timeout)
            throws IOException {
        BlockingQueue<MemoryChannel> q = listening.get(remote);
        if (q == null) throw new ConnectException("connection refused: " + remote);
        InetSocketAddress l = new InetSocketAddress(local.orElse(defaultLocal.toInetAddress()), ports.incrementAndGet());
        Pipe a = new Pipe(), b = new Pipe();
        q.add(new MemoryChannel(b, a, remote, l, List.of()));
        return new MemoryChannel(a, b, l, remote, subnets);
    }

    @Override
    public Listener listen(InetSocketAddress local, boolean md5) {
        BlockingQueue<Channel> q = new LinkedBlockingQueue<>();
        speakerListener = q;
        return new Listener() {
            private volatile boolean closed;

            @Override
            public Channel accept() throws IOException {
                try {
                    while (!closed) {
                        Channel c = q.poll(100, TimeUnit.MILLISECONDS);
                        if (c != null) return c;
                    }
                    throw new IOException("listener closed");
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                }
            }

            @Override public boolean setMd5Key(InetAddress peer, String key) { return true; }
            @Override public InetSocketAddress localAddress() { return local; }
            @Override public void close() { closed = true; }
        };
    }
}
