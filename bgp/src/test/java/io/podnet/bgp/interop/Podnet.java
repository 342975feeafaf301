package io.podnet.bgp.interop;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.rib.Route;
import io.podnet.bgp.speaker.PeerConfig;
import io.podnet.bgp.speaker.PeerStatus;
import io.podnet.bgp.speaker.Speaker;
import io.podnet.bgp.speaker.SpeakerConfig;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/** The podnet speaker under test, running in-process with its sockets in a lab namespace. */
final class Podnet implements AutoCloseable {
    final Speaker speaker;
    private final NetnsTransport transport;

    Podnet(String netns, long asn, String address, IpAddress clusterId) {
        transport = new NetnsTransport(netns);
        SpeakerConfig c = SpeakerConfig.of(asn, IpAddress.parse(address))
                .withListen(new InetSocketAddress(IpAddress.parse(address).toInetAddress(), 179))
                .withConnectRetry(Duration.ofSeconds(1))
                .withGracefulRestart(Duration.ofSeconds(60));
        if (clusterId != null) c = c.withClusterId(clusterId);
        speaker = new Speaker(c, transport, InstantSource.system());
    }

    Podnet peer(PeerConfig p) {
        speaker.addPeer(p).join();
        return this;
    }

    Podnet start() {
        try {
            speaker.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A peer in the lab: local address set, IPv6 next hop = our lab IPv6 address. */
    static PeerConfig peer(int peerNode, long asn, int selfNode) {
        return PeerConfig.of(IpAddress.parse(Lab.v4(peerNode)), asn)
                .withLocalAddress(IpAddress.parse(Lab.v4(selfNode)))
                .withNextHopV6(IpAddress.parse(Lab.v6(selfNode)));
    }

    State state(int peerNode) {
        return speaker.peer(IpAddress.parse(Lab.v4(peerNode))).join().map(PeerStatus::state).orElse(State.IDLE);
    }

    Optional<Route> best(String prefix) { return speaker.bestPath(IpPrefix.parse(prefix)).join(); }

    void announce(String prefix) { speaker.addRoute(IpPrefix.parse(prefix)).join(); }

    @Override
    public void close() {
        speaker.close();
        transport.close();
    }

    void crash() {
        speaker.abort();
        transport.close();
    }
}
