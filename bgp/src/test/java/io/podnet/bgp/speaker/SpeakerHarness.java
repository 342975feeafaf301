package io.podnet.bgp.speaker;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.Capability;
import io.podnet.bgp.message.CodecOptions;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running {@link Speaker} over a {@link MemoryTransport} with a {@link ManualScheduler}, and the neighbours
 * the test plays. The speaker is AS 64512 at 10.0.0.1 on 10.0.0.0/24 (IPv6 next hop fd00::1); the usual
 * neighbours are an eBGP sender (AS 65001, 10.0.0.2), an iBGP sender (AS 64512, 10.0.0.3) and an eBGP
 * observer (AS 65003, 10.0.0.4). Everything is synchronous: {@link #sync()} returns once the speaker has read
 * what the neighbours sent, processed it and written its answers, and the neighbours have decoded them.
 */
final class SpeakerHarness implements AutoCloseable {
    static final long AS = 64512;
    static final IpAddress SPEAKER = IpAddress.parse("10.0.0.1");
    static final IpAddress SPEAKER_V6 = IpAddress.parse("fd00::1");
    static final IpAddress EBGP = IpAddress.parse("10.0.0.2");
    static final IpAddress IBGP = IpAddress.parse("10.0.0.3");
    static final IpAddress OBSERVER = IpAddress.parse("10.0.0.4");
    static final List<AfiSafi> BOTH = List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST);

    final ManualScheduler time = new ManualScheduler();
    final MemoryTransport net = new MemoryTransport(SPEAKER, List.of(IpPrefix.parse("10.0.0.0/24"), IpPrefix.parse("fd00::/64")));
    final Speaker speaker;
    final Map<IpAddress, ScriptedPeer> peers = new LinkedHashMap<>();

    SpeakerHarness(SpeakerConfig config, MemoryGuard guard) {
        speaker = new Speaker(config, new SpeakerContext(net, time.clock, time, guard));
        try {
            speaker.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    SpeakerHarness() { this(config(), MemoryGuard.none()); }

    static SpeakerConfig config() {
        return SpeakerConfig.of(AS, SPEAKER).withConnectRetry(Duration.ofSeconds(5)).withListen(at(SPEAKER));
    }

    /** The speaker's side of a neighbour: local address and IPv6 next hop set. */
    static PeerConfig peerConfig(IpAddress address, long asn) {
        return PeerConfig.of(address, asn).withLocalAddress(SPEAKER).withNextHopV6(SPEAKER_V6);
    }

    static InetSocketAddress at(IpAddress a) { return new InetSocketAddress(a.toInetAddress(), 179); }

    /** Adds the peer to the speaker and plays the neighbour's side of the connection and OPEN exchange. */
    ScriptedPeer connect(PeerConfig pc, byte[] open, CodecOptions codec) {
        ScriptedPeer p = new ScriptedPeer(pc.address().toString(), pc.asn(), pc.address(), codec);
        net.listenAt(at(pc.address()));
        speaker.addPeer(pc).join();
        p.handshake(accept(pc.address()), open);
        peers.put(pc.address(), p);
        sync();
        return p;
    }

    /** A neighbour with the usual capabilities. */
    ScriptedPeer connect(PeerConfig pc) {
        byte[] open = ScriptedPeer.open(pc.asn(), pc.address(), ScriptedPeer.capabilities(pc.asn(), true, BOTH));
        return connect(pc, open, new CodecOptions(true, false, false));
    }

    /** Whether the speaker has made a connection to {@code a} the test has not taken yet. */
    boolean connecting(IpAddress a) {
        var q = net.network().listeners.get(at(a));
        return q != null && !q.isEmpty();
    }

    /** The connection the speaker made to {@code a} (it connects out to its neighbours). */
    MemoryTransport.MemoryChannel accept(IpAddress a) {
        try {
            return net.accepted(at(a), Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    ScriptedPeer ebgpSender() { return connect(peerConfig(EBGP, 65001)); }

    ScriptedPeer ibgpSender() { return connect(peerConfig(IBGP, AS)); }

    ScriptedPeer observer() { return connect(peerConfig(OBSERVER, 65003)); }

    /** Waits until the speaker has read and processed what the neighbours sent and they have its answers. */
    void sync() {
        for (ScriptedPeer p : peers.values()) if (p.ch != null) p.ch.out.awaitDrained(10_000);
        try {
            speaker.settle().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("speaker did not settle", e);
        }
        for (ScriptedPeer p : peers.values()) if (p.ch != null) p.collect();
    }

    /** Moves time on (timers fire), then {@link #sync()}. */
    void advance(Duration d) {
        time.advance(d);
        sync();
    }

    State state(IpAddress peer) {
        return speaker.peer(peer).join().map(PeerStatus::state).orElse(State.IDLE);
    }

    PeerStatus status(IpAddress peer) { return speaker.peer(peer).join().orElseThrow(); }

    boolean inLocRib(IpPrefix p) { return speaker.bestPath(p).join().isPresent(); }

    @Override
    public void close() {
        speaker.close();
    }

    static Capability fourOctet(long asn) { return new Capability.FourOctetAs(asn); }
}
