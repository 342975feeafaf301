package io.podnet.bgp.speaker;

import static io.podnet.bgp.speaker.SpeakerNet.best;
import static io.podnet.bgp.speaker.SpeakerNet.ip;
import static io.podnet.bgp.speaker.SpeakerNet.peer;
import static io.podnet.bgp.speaker.SpeakerNet.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.message.AsPathSegment;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.rib.BestPathChange;
import io.podnet.bgp.rib.Route;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole speakers talking to each other over the in-memory transport with manual time. */
class SpeakerTest {
    final SpeakerNet n = new SpeakerNet();

    @AfterEach
    void closeAll() { n.close(); }

    @Test
    void ebgpSpeakersExchangeAndWithdrawIpv4AndIpv6Routes() {
        Speaker a = n.speaker(65001, "10.0.0.11", false);
        Speaker b = n.speaker(65002, "10.0.0.12", false);
        List<BestPathChange> seen = new CopyOnWriteArrayList<>();
        b.addListener(seen::addAll);
        a.addPeer(peer("10.0.0.12", 65002, "10.0.0.11")).join();
        b.addPeer(peer("10.0.0.11", 65001, "10.0.0.12").withPassive(true)).join();
        n.until("established", () -> state(a, "10.0.0.12") == State.ESTABLISHED && state(b, "10.0.0.11") == State.ESTABLISHED);
        a.addRoute(IpPrefix.parse("10.244.1.0/24")).join();
        a.addRoute(IpPrefix.parse("fd00:244:1::/64"), ip("fd00::11"), List.of()).join();
        n.quiet();
        Route r = best(b, "10.244.1.0/24").orElseThrow();
        assertThat(r.attrs().asPath().segments()).containsExactly(AsPathSegment.sequence(65001L));
        assertThat(r.attrs().nextHop()).isEqualTo(ip("10.0.0.11"));
        assertThat(best(b, "fd00:244:1::/64").orElseThrow().attrs().nextHop()).hasToString("::ffff:a00:b"); // IPv4-mapped
        a.withdrawRoute(IpPrefix.parse("10.244.1.0/24")).join();
        n.quiet();
        assertThat(best(b, "10.244.1.0/24")).isEmpty();
        assertThat(seen).anyMatch(c -> c.prefix().equals(IpPrefix.parse("10.244.1.0/24")) && c.isWithdrawal());
        PeerStatus st = b.peer(ip("10.0.0.11")).join().orElseThrow();
        assertThat(st.counters().updatesIn()).isGreaterThanOrEqualTo(3);
        assertThat(st.counters().prefixesReceived()).isEqualTo(1);
    }

    @Test
    void routeReflectorReflectsBetweenClientsAndDisablingAPeerWithdrawsItsRoutes() {
        Speaker rr = n.speaker(64512, "10.0.0.21", true);
        Speaker c1 = n.speaker(64512, "10.0.0.22", false);
        Speaker c2 = n.speaker(64512, "10.0.0.23", false);
        rr.addPeer(peer("10.0.0.22", 64512, "10.0.0.21").withRrClient(true).withPassive(true)).join();
        rr.addPeer(peer("10.0.0.23", 64512, "10.0.0.21").withRrClient(true).withPassive(true)).join();
        c1.addPeer(peer("10.0.0.21", 64512, "10.0.0.22")).join();
        c2.addPeer(peer("10.0.0.21", 64512, "10.0.0.23")).join();
        c1.addRoute(IpPrefix.parse("10.244.22.0/24"), IpAddress.v4(0),
                List.of(new PathAttribute.Communities(List.of(PathAttribute.Communities.of(64512, 22))))).join();
        n.until("reflected to c2", () -> best(c2, "10.244.22.0/24").isPresent());
        Route r = best(c2, "10.244.22.0/24").orElseThrow();
        assertThat(r.attrs().originatorId()).isEqualTo(ip("10.0.0.22"));
        assertThat(r.attrs().clusterList()).containsExactly(ip("10.0.0.21"));
        assertThat(r.attrs().nextHop()).isEqualTo(ip("10.0.0.22"));
        assertThat(r.attrs().get(PathAttribute.Communities.class)).isPresent();
        rr.disablePeer(ip("10.0.0.22")).join();
        n.quiet();
        assertThat(best(c2, "10.244.22.0/24")).isEmpty();
        rr.enablePeer(ip("10.0.0.22")).join();
        n.until("back at c2", () -> best(c2, "10.244.22.0/24").isPresent());
    }

    @Test
    void gracefulRestartKeepsRoutesOfACrashedPeerUntilItComesBack() {
        Speaker a = n.speaker(65001, "10.0.0.31", false);
        Speaker b = n.speaker(65002, "10.0.0.32", false);
        a.addPeer(peer("10.0.0.32", 65002, "10.0.0.31")).join();
        b.addPeer(peer("10.0.0.31", 65001, "10.0.0.32").withPassive(true)).join();
        a.addRoute(IpPrefix.parse("10.244.31.0/24")).join();
        a.addRoute(IpPrefix.parse("10.244.32.0/24")).join();
        n.until("routes at b", () -> best(b, "10.244.32.0/24").isPresent());
        a.abort();
        n.speakers.remove(a);
        n.quiet();
        assertThat(state(b, "10.0.0.31")).isNotEqualTo(State.ESTABLISHED);
        assertThat(best(b, "10.244.31.0/24")).isPresent(); // stale but kept (RFC 4724 §4.2)
        Speaker a2 = n.speaker(65001, "10.0.0.31", false);
        a2.addPeer(peer("10.0.0.32", 65002, "10.0.0.31")).join();
        a2.addRoute(IpPrefix.parse("10.244.31.0/24")).join(); // 10.244.32.0/24 is not re-announced
        n.until("re-established", () -> state(b, "10.0.0.31") == State.ESTABLISHED);
        assertThat(best(b, "10.244.32.0/24")).as("End-of-RIB sweeps the route not re-announced").isEmpty();
        assertThat(best(b, "10.244.31.0/24")).isPresent();
    }

    @Test
    void gracefulRestartStaleRoutesGoWhenTheRestartTimeRunsOut() {
        Speaker a = n.speaker(65001, "10.0.0.41", false);
        Speaker b = n.speaker(65002, "10.0.0.42", false);
        a.addPeer(peer("10.0.0.42", 65002, "10.0.0.41")).join();
        b.addPeer(peer("10.0.0.41", 65001, "10.0.0.42").withPassive(true)).join();
        a.addRoute(IpPrefix.parse("10.244.41.0/24")).join();
        n.until("route at b", () -> best(b, "10.244.41.0/24").isPresent());
        a.abort();
        n.speakers.remove(a);
        n.quiet(); // b sees the connection end (no NOTIFICATION: graceful restart keeps the routes)
        n.advance(Duration.ofSeconds(119));
        assertThat(best(b, "10.244.41.0/24")).as("kept for the advertised restart time (120 s)").isPresent();
        n.advance(Duration.ofSeconds(2));
        assertThat(best(b, "10.244.41.0/24")).isEmpty();
    }

    @Test
    void aLargeTableIsRelayedAndWithdrawnInChunksWhenItsSourceGoesAway() {
        Speaker a = n.speaker(65001, "10.0.0.51", false);
        Speaker b = n.speaker(65002, "10.0.0.52", false);
        Speaker c = n.speaker(65003, "10.0.0.53", false);
        a.addPeer(peer("10.0.0.52", 65002, "10.0.0.51")).join();
        b.addPeer(peer("10.0.0.51", 65001, "10.0.0.52").withPassive(true)).join();
        b.addPeer(peer("10.0.0.53", 65003, "10.0.0.52")).join();
        c.addPeer(peer("10.0.0.52", 65002, "10.0.0.53").withPassive(true)).join();
        int total = 20_000; // more than two dirty chunks
        for (int i = 0; i < total; i++) a.addRoute(IpPrefix.of(IpAddress.v4((20 << 24) + (i << 8)), 24));
        n.until("table at c", () -> c.locRibSize().join() == total);
        assertThat(b.peer(ip("10.0.0.53")).join().orElseThrow().counters().prefixesAdvertised()).isEqualTo(total);
        assertThat(b.peer(ip("10.0.0.51")).join().orElseThrow().counters().prefixesAdvertised()).isZero();
        b.disablePeer(ip("10.0.0.51")).join(); // b drops a's whole table at once
        n.quiet();
        assertThat(c.locRibSize().join()).isZero();
        assertThat(b.locRibSize().join()).isZero();
        assertThat(b.peer(ip("10.0.0.53")).join().orElseThrow().counters().prefixesAdvertised()).isZero();
    }
}
