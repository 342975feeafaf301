package io.podnet.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.message.AsPathSegment;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.rib.BestPathChange;
import io.podnet.bgp.rib.Route;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole speakers talking real TCP over 127.0.0.0/8 addresses (no root needed). */
class SpeakerLoopbackTest {
    static final Duration T = Duration.ofSeconds(15);
    final int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
    final List<Speaker> speakers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        speakers.forEach(Speaker::close);
    }

    static IpAddress ip(String s) { return IpAddress.parse(s); }

    Speaker speaker(long as, String addr, boolean reflector) throws Exception {
        SpeakerConfig c = SpeakerConfig.of(as, ip(addr)).withListen(new InetSocketAddress(addr, port))
                .withConnectRetry(Duration.ofSeconds(1)).withHoldTime(9);
        if (reflector) c = c.withClusterId(ip(addr));
        Speaker s = new Speaker(c, new TcpTransport(), InstantSource.system());
        speakers.add(s);
        s.start();
        return s;
    }

    PeerConfig peer(String addr, long as, String local) {
        return PeerConfig.of(ip(addr), as).withPort(port).withLocalAddress(ip(local));
    }

    static State state(Speaker s, String peer) {
        return s.peer(ip(peer)).join().map(PeerStatus::state).orElse(State.IDLE);
    }

    static Optional<Route> best(Speaker s, String prefix) { return s.bestPath(IpPrefix.parse(prefix)).join(); }

    @Test
    void ebgpSpeakersExchangeAndWithdrawIpv4AndIpv6Routes() throws Exception {
        Speaker a = speaker(65001, "127.0.0.11", false);
        Speaker b = speaker(65002, "127.0.0.12", false);
        List<BestPathChange> seen = new CopyOnWriteArrayList<>();
        b.addListener(seen::addAll);
        a.addPeer(peer("127.0.0.12", 65002, "127.0.0.11")).join();
        b.addPeer(peer("127.0.0.11", 65001, "127.0.0.12").withPassive(true)).join();
        Await.until("established", T, () -> state(a, "127.0.0.12") == State.ESTABLISHED && state(b, "127.0.0.11") == State.ESTABLISHED);
        a.addRoute(IpPrefix.parse("10.244.1.0/24")).join();
        a.addRoute(IpPrefix.parse("fd00:244:1::/64"), ip("fd00::11"), List.of()).join();
        Await.until("routes at b", T, () -> best(b, "10.244.1.0/24").isPresent() && best(b, "fd00:244:1::/64").isPresent());
        Route r = best(b, "10.244.1.0/24").orElseThrow();
        assertThat(r.attrs().asPath().segments()).containsExactly(AsPathSegment.sequence(65001L));
        assertThat(r.attrs().nextHop()).isEqualTo(ip("127.0.0.11"));
        assertThat(best(b, "fd00:244:1::/64").orElseThrow().attrs().nextHop()).hasToString("::ffff:7f00:b"); // IPv4-mapped: no IPv6 next hop configured
        a.withdrawRoute(IpPrefix.parse("10.244.1.0/24")).join();
        Await.until("withdrawn at b", T, () -> best(b, "10.244.1.0/24").isEmpty());
        assertThat(seen).anyMatch(c -> c.prefix().equals(IpPrefix.parse("10.244.1.0/24")) && c.isWithdrawal());
        PeerStatus st = b.peer(ip("127.0.0.11")).join().orElseThrow();
        assertThat(st.counters().updatesIn()).isGreaterThanOrEqualTo(3);
        assertThat(st.counters().prefixesReceived()).isEqualTo(1);
    }

    @Test
    void routeReflectorReflectsBetweenClientsAndDisablingAPeerWithdrawsItsRoutes() throws Exception {
        Speaker rr = speaker(64512, "127.0.0.21", true);
        Speaker c1 = speaker(64512, "127.0.0.22", false);
        Speaker c2 = speaker(64512, "127.0.0.23", false);
        rr.addPeer(peer("127.0.0.22", 64512, "127.0.0.21").withRrClient(true).withPassive(true)).join();
        rr.addPeer(peer("127.0.0.23", 64512, "127.0.0.21").withRrClient(true).withPassive(true)).join();
        c1.addPeer(peer("127.0.0.21", 64512, "127.0.0.22")).join();
        c2.addPeer(peer("127.0.0.21", 64512, "127.0.0.23")).join();
        c1.addRoute(IpPrefix.parse("10.244.22.0/24"), IpAddress.v4(0), List.of(new PathAttribute.Communities(List.of(PathAttribute.Communities.of(64512, 22))))).join();
        Await.until("reflected to c2", T, () -> best(c2, "10.244.22.0/24").isPresent());
        Route r = best(c2, "10.244.22.0/24").orElseThrow();
        assertThat(r.attrs().originatorId()).isEqualTo(ip("127.0.0.22"));
        assertThat(r.attrs().clusterList()).containsExactly(ip("127.0.0.21"));
        assertThat(r.attrs().nextHop()).isEqualTo(ip("127.0.0.22"));
        assertThat(r.attrs().get(PathAttribute.Communities.class)).isPresent();
        rr.disablePeer(ip("127.0.0.22")).join();
        Await.until("withdrawn at c2", T, () -> best(c2, "10.244.22.0/24").isEmpty());
        rr.enablePeer(ip("127.0.0.22")).join();
        Await.until("back at c2", T, () -> best(c2, "10.244.22.0/24").isPresent());
    }

    @Test
    void gracefulRestartKeepsRoutesOfACrashedPeerUntilItComesBack() throws Exception {
        Speaker a = speaker(65001, "127.0.0.31", false);
        Speaker b = speaker(65002, "127.0.0.32", false);
        a.addPeer(peer("127.0.0.32", 65002, "127.0.0.31")).join();
        b.addPeer(peer("127.0.0.31", 65001, "127.0.0.32").withPassive(true)).join();
        a.addRoute(IpPrefix.parse("10.244.31.0/24")).join();
        a.addRoute(IpPrefix.parse("10.244.32.0/24")).join();
        Await.until("routes at b", T, () -> best(b, "10.244.32.0/24").isPresent());
        a.abort();
        Await.until("b notices", T, () -> state(b, "127.0.0.31") != State.ESTABLISHED);
        assertThat(best(b, "10.244.31.0/24")).isPresent(); // stale but kept (RFC 4724 §4.2)
        Speaker a2 = speaker(65001, "127.0.0.31", false);
        a2.addPeer(peer("127.0.0.32", 65002, "127.0.0.31")).join();
        a2.addRoute(IpPrefix.parse("10.244.31.0/24")).join(); // 10.244.32.0/24 is not re-announced
        Await.until("re-established", T, () -> state(b, "127.0.0.31") == State.ESTABLISHED);
        Await.until("End-of-RIB sweeps the route not re-announced", T, () -> best(b, "10.244.32.0/24").isEmpty());
        assertThat(best(b, "10.244.31.0/24")).isPresent();
    }

    @Test
    void aLargeTableIsRelayedAndWithdrawnInChunksWhenItsSourceGoesAway() throws Exception {
        Speaker a = speaker(65001, "127.0.0.31", false);
        Speaker b = speaker(65002, "127.0.0.32", false);
        Speaker c = speaker(65003, "127.0.0.33", false);
        a.addPeer(peer("127.0.0.32", 65002, "127.0.0.31")).join();
        b.addPeer(peer("127.0.0.31", 65001, "127.0.0.32").withPassive(true)).join();
        b.addPeer(peer("127.0.0.33", 65003, "127.0.0.32")).join();
        c.addPeer(peer("127.0.0.32", 65002, "127.0.0.33").withPassive(true)).join();
        int n = 20_000; // more than two dirty chunks
        for (int i = 0; i < n; i++) a.addRoute(IpPrefix.of(IpAddress.v4((20 << 24) + (i << 8)), 24));
        Await.until("table at c", T, () -> c.locRibSize().join() == n);
        PeerStatus toC = b.peer(ip("127.0.0.33")).join().orElseThrow();
        assertThat(toC.counters().prefixesAdvertised()).isEqualTo(n);
        assertThat(b.peer(ip("127.0.0.31")).join().orElseThrow().counters().prefixesAdvertised()).isZero();
        b.disablePeer(ip("127.0.0.31")).join(); // b drops a's whole table at once
        Await.until("withdrawn at c", T, () -> c.locRibSize().join() == 0);
        assertThat(b.locRibSize().join()).isZero();
        assertThat(b.peer(ip("127.0.0.33")).join().orElseThrow().counters().prefixesAdvertised()).isZero();
    }
}
