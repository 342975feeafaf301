package io.podnet.bgp.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.message.AsPathSegment;
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

/**
 * The one real-socket smoke test: two whole speakers over JDK TCP on 127.0.0.x (no root needed). Everything
 * else about whole speakers runs over the in-memory transport with manual time ({@link SpeakerTest},
 * {@link SpeakerSessionTest}, {@link SpeakerCorpusTest}).
 */
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
}
