package io.podnet.bgp.speaker;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.rib.Route;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Several whole speakers talking to each other over one in-memory network, on one manual clock. {@link #quiet()}
 * lets messages flow until none is in flight; {@link #advance} moves time (timers fire) and then waits the
 * same way. No sockets, no sleeps.
 */
final class SpeakerNet implements AutoCloseable {
    final ManualScheduler time = new ManualScheduler();
    final MemoryTransport.Network net = new MemoryTransport.Network();
    final List<Speaker> speakers = new ArrayList<>();

    static IpAddress ip(String s) { return IpAddress.parse(s); }

    /** A started speaker listening on {@code addr}:179 (10.0.0.0/8 is its interface's subnet). */
    Speaker speaker(long as, String addr, boolean reflector) {
        SpeakerConfig c = SpeakerConfig.of(as, ip(addr)).withListen(new InetSocketAddress(ip(addr).toInetAddress(), 179))
                .withConnectRetry(Duration.ofSeconds(1)).withHoldTime(9);
        if (reflector) c = c.withClusterId(ip(addr));
        Speaker s = new Speaker(c, new SpeakerContext(net.endpoint(ip(addr), List.of(IpPrefix.parse("10.0.0.0/8"))),
                time.clock, time, MemoryGuard.none()));
        speakers.add(s);
        try {
            s.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    static PeerConfig peer(String addr, long as, String local) {
        return PeerConfig.of(ip(addr), as).withLocalAddress(ip(local));
    }

    void quiet() { net.quiet(speakers.toArray(Speaker[]::new)); }

    void advance(Duration d) {
        time.advance(d);
        quiet();
    }

    /** Quiet, and move time a second at a time (connect retries) until {@code ok} holds; at most a minute. */
    void until(String what, java.util.function.BooleanSupplier ok) {
        quiet();
        for (int i = 0; i < 60 && !ok.getAsBoolean(); i++) advance(Duration.ofSeconds(1));
        if (!ok.getAsBoolean()) throw new AssertionError("not within a minute of manual time: " + what);
    }

    static State state(Speaker s, String peer) {
        return s.peer(ip(peer)).join().map(PeerStatus::state).orElse(State.IDLE);
    }

    static Optional<Route> best(Speaker s, String prefix) { return s.bestPath(IpPrefix.parse(prefix)).join(); }

    @Override
    public void close() {
        speakers.forEach(Speaker::close);
    }
}
