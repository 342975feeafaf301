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
 * An in-memory {@link Transport}: connections are two {@link Pipe}s. Every transport made from one
 * {@link Network} reaches the listeners of the others, so speakers can talk to each other; a test can also
 * make an address "listen" itself ({@link #listenAt}) and take the far end of each connection a speaker makes
 * to it ({@link #accepted}), or dial a speaker's listener ({@link #dial}). A speaker's channels report its
 * {@code subnets} as the local interface's subnets. No sockets, no ports, no threads of its own.
 */
final class MemoryTransport implements Transport {
    /** The listeners all transports of one test share: address → queue of accepted far ends. */
    static final class Network {
        final Map<InetSocketAddress, BlockingQueue<MemoryChannel>> listeners = new ConcurrentHashMap<>();
        final AtomicInteger ports = new AtomicInteger(40000);
        final Map<InetSocketAddress, MemoryTransport> owners = new ConcurrentHashMap<>();
        /** Pipes a speaker's reader thread reads (the test reads the others itself). */
        final java.util.Queue<Pipe> speakerReads = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

        /**
         * Lets messages flow between the speakers until none is in flight: every speaker reader has read all it
         * was sent and every speaker has settled, in a round during which nothing new was written.
         */
        void quiet(Speaker... speakers) {
            for (int round = 0; round < 1000; round++) {
                long before = writes.get();
                for (Pipe p : speakerReads) p.awaitDrained(10_000);
                for (Speaker s : speakers) {
                    try {
                        s.settle().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError("speaker did not settle", e);
                    }
                }
                if (writes.get() == before) return;
            }
            throw new AssertionError("the speakers kept talking for 1000 rounds");
        }

        MemoryTransport endpoint(IpAddress local, List<IpPrefix> subnets) { return new MemoryTransport(this, local, subnets); }
    }

    private final Network network;
    private final IpAddress defaultLocal;
    private final List<IpPrefix> subnets;

    MemoryTransport(IpAddress defaultLocal, List<IpPrefix> subnets) { this(new Network(), defaultLocal, subnets); }

    private MemoryTransport(Network network, IpAddress defaultLocal, List<IpPrefix> subnets) {
        this.network = network;
        this.defaultLocal = defaultLocal;
        this.subnets = List.copyOf(subnets);
    }

    Network network() { return network; }

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
            in.closeAsReader();
            out.close();
        }
    }

    /** Connections made to {@code address} are accepted; their far ends go to {@link #accepted}. */
    void listenAt(InetSocketAddress address) { network.listeners.putIfAbsent(address, new LinkedBlockingQueue<>()); }

    /** Stops accepting at {@code address} (connections are refused). */
    void stopListening(InetSocketAddress address) { network.listeners.remove(address); }

    /** The far end of the next connection made to {@code address}. */
    MemoryChannel accepted(InetSocketAddress address, Duration within) throws InterruptedException {
        MemoryChannel c = network.listeners.get(address).poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) throw new AssertionError("no connection to " + address + " within " + within);
        return c;
    }

    /** Connects {@code from} to the listener at {@code to}; returns the dialler's end. */
    MemoryChannel dial(InetSocketAddress from, InetSocketAddress to) {
        BlockingQueue<MemoryChannel> q = network.listeners.get(to);
        if (q == null) throw new AssertionError("nothing listens at " + to);
        Pipe a = new Pipe(network.writes), b = new Pipe(network.writes);
        q.add(new MemoryChannel(a, b, to, from, subnetsOfListener(to)));
        network.speakerReads.add(a);
        return new MemoryChannel(b, a, from, to, List.of());
    }

    @Override
    public Channel connect(InetSocketAddress remote, Optional<InetAddress> local, Optional<String> md5Key, Duration timeout)
            throws IOException {
        BlockingQueue<MemoryChannel> q = network.listeners.get(remote);
        if (q == null) throw new ConnectException("connection refused: " + remote);
        InetSocketAddress l = new InetSocketAddress(local.orElse(defaultLocal.toInetAddress()), network.ports.incrementAndGet());
        Pipe a = new Pipe(network.writes), b = new Pipe(network.writes);
        q.add(new MemoryChannel(b, a, remote, l, subnetsOfListener(remote)));
        network.speakerReads.add(a);
        if (network.owners.containsKey(remote)) network.speakerReads.add(b); // another speaker reads the far end
        return new MemoryChannel(a, b, l, remote, subnets);
    }

    /** What a speaker listening at {@code at} reports for connections it accepts: set by its own transport. */
    private List<IpPrefix> subnetsOfListener(InetSocketAddress at) {
        MemoryTransport t = network.owners.get(at);
        return t == null ? List.of() : t.subnets;
    }

    @Override
    public Listener listen(InetSocketAddress local, boolean md5) {
        BlockingQueue<MemoryChannel> q = new LinkedBlockingQueue<>();
        network.listeners.put(local, q);
        network.owners.put(local, this);
        return new Listener() {
            private volatile boolean closed;

            @Override
            public Channel accept() throws IOException {
                try {
                    while (!closed) {
                        MemoryChannel c = q.poll(100, TimeUnit.MILLISECONDS);
                        if (c != null) return c;
                    }
                    throw new IOException("listener closed");
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                }
            }

            @Override public boolean setMd5Key(InetAddress peer, String key) { return true; }
            @Override public InetSocketAddress localAddress() { return local; }
            @Override
            public void close() {
                closed = true;
                network.listeners.remove(local, q);
                network.owners.remove(local);
            }
        };
    }
}
