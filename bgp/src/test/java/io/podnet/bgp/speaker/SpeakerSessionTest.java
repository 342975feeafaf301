package io.podnet.bgp.speaker;

import static io.podnet.bgp.speaker.SpeakerHarness.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.message.*;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One running speaker and neighbours played by the test (in-memory transport, manual clock): route refresh
 * served and received (RFC 2918, RFC 7313), the prefix limit (RFC 4486) and the memory guard with their
 * restart timers, and live configuration changes.
 */
class SpeakerSessionTest {
    static final IpPrefix P1 = IpPrefix.parse("10.244.1.0/24");
    static final IpPrefix P2 = IpPrefix.parse("10.244.2.0/24");
    static final IpPrefix P3 = IpPrefix.parse("10.244.3.0/24");
    static final IpPrefix P4 = IpPrefix.parse("10.244.4.0/24");
    static final AfiSafi V4 = AfiSafi.IPV4_UNICAST;

    SpeakerHarness h = new SpeakerHarness();

    @AfterEach
    void close() { h.close(); }

    static UpdateMessage announce(ScriptedPeer from, IpPrefix... prefixes) {
        boolean internal = from.asn == AS;
        List<PathAttribute> attrs = new java.util.ArrayList<>(List.of(Origin.IGP,
                internal ? AsPath.EMPTY : new AsPath(List.of(AsPathSegment.sequence(from.asn))), new NextHop(from.address)));
        if (internal) attrs.add(new LocalPref(100));
        return new UpdateMessage(List.of(), attrs, List.of(prefixes));
    }

    static byte[] openWith(long asn, IpAddress id, List<Capability> caps) { return ScriptedPeer.open(asn, id, caps); }

    static List<Capability> caps(long asn, Capability... extra) {
        List<Capability> c = new java.util.ArrayList<>(List.of(new Capability.Multiprotocol(V4), new Capability.RouteRefresh(),
                new Capability.FourOctetAs(asn)));
        c.addAll(List.of(extra));
        return c;
    }

    // ------------------------------------------------------------------ route refresh

    @Test
    void aPlainRouteRefreshIsAnsweredWithTheRoutesAloneNoBorrNoEndOfRib() {
        ScriptedPeer sender = h.ebgpSender();
        sender.send(announce(sender, P1, P2));
        h.sync();
        ScriptedPeer observer = h.connect(peerConfig(OBSERVER, 65003), openWith(65003, OBSERVER, caps(65003)), new CodecOptions(true, false));
        observer.clearMessages();
        observer.send(new RouteRefreshMessage(V4));
        h.sync();
        assertThat(observer.received).isNotEmpty().allSatisfy(m -> {
            assertThat(m).isInstanceOf(UpdateMessage.class);
            assertThat(((UpdateMessage) m).endOfRibFamily()).isEmpty();
        });
        assertThat(observer.messages(UpdateMessage.class).stream().flatMap(u -> u.nlri().stream())).containsExactlyInAnyOrder(P1, P2);
    }

    @Test
    void anEnhancedRouteRefreshIsFramedByBorrAndEorr() {
        ScriptedPeer sender = h.ebgpSender();
        sender.send(announce(sender, P1));
        ScriptedPeer observer = h.observer();
        observer.clearMessages();
        observer.send(new RouteRefreshMessage(V4));
        h.sync();
        assertThat(observer.received).first().isEqualTo(new RouteRefreshMessage(V4, RouteRefreshMessage.BORR));
        assertThat(observer.received).last().isEqualTo(new RouteRefreshMessage(V4, RouteRefreshMessage.EORR));
        assertThat(observer.messages(UpdateMessage.class).stream().flatMap(u -> u.nlri().stream())).containsExactly(P1);
    }

    @Test
    void aBorrMarksThePeersRoutesStaleAndItsEorrSweepsThoseNotReAdvertised() {
        ScriptedPeer observer = h.observer();
        ScriptedPeer sender = h.ibgpSender();
        sender.send(announce(sender, P1, P2));
        h.sync();
        assertThat(observer.routes).containsKeys(P1, P2);
        sender.send(new RouteRefreshMessage(V4, RouteRefreshMessage.BORR));
        sender.send(announce(sender, P1));
        h.sync();
        assertThat(observer.routes).as("stale routes stay until the EoRR").containsKeys(P1, P2);
        sender.send(new RouteRefreshMessage(V4, RouteRefreshMessage.EORR));
        h.sync();
        assertThat(observer.routes).containsKey(P1).doesNotContainKey(P2);
    }

    @Test
    void staleRoutesOfARefreshThatNeverEndsGoAfterTheUpperBound() {
        ScriptedPeer observer = h.observer();
        ScriptedPeer sender = h.ibgpSender();
        sender.send(announce(sender, P1, P2));
        sender.send(new RouteRefreshMessage(V4, RouteRefreshMessage.BORR));
        sender.send(announce(sender, P1));
        h.sync();
        h.advance(PeerRouting.REFRESH_STALE_LIMIT.minusSeconds(1));
        assertThat(observer.routes).containsKey(P2);
        h.advance(Duration.ofSeconds(1));
        assertThat(observer.routes).containsKey(P1).doesNotContainKey(P2);
    }

    @Test
    void anEorrWithoutABorrIsIgnored() {
        ScriptedPeer observer = h.observer();
        ScriptedPeer sender = h.ibgpSender();
        sender.send(announce(sender, P1, P2));
        sender.send(new RouteRefreshMessage(V4, RouteRefreshMessage.EORR));
        h.sync();
        assertThat(observer.routes).containsKeys(P1, P2);
        assertThat(h.state(IBGP)).isEqualTo(State.ESTABLISHED);
    }

    @Test
    void aBorrFromAGracefulRestartPeerBeforeItsEndOfRibIsIgnored() {
        ScriptedPeer observer = h.observer();
        Capability gr = new Capability.GracefulRestart(false, false, 120, List.of(new Capability.GrFamily(V4, true)));
        ScriptedPeer sender = h.connect(peerConfig(IBGP, AS), openWith(AS, IBGP, caps(AS, new Capability.EnhancedRouteRefresh(), gr)),
                new CodecOptions(true, false));
        sender.send(announce(sender, P1, P2));
        sender.send(new RouteRefreshMessage(V4, RouteRefreshMessage.BORR)); // before End-of-RIB: RFC 7313 §4 says ignore
        sender.send(new RouteRefreshMessage(V4, RouteRefreshMessage.EORR));
        h.sync();
        assertThat(observer.routes).containsKeys(P1, P2);
        sender.send(UpdateMessage.endOfRib(V4));
        sender.send(new RouteRefreshMessage(V4, RouteRefreshMessage.BORR));
        sender.send(new RouteRefreshMessage(V4, RouteRefreshMessage.EORR));
        h.sync();
        assertThat(observer.routes).doesNotContainKeys(P1, P2);
    }

    @Test
    void requestRefreshAsksAPeerThatCanRefreshAndNotOneThatCannot() {
        ScriptedPeer sender = h.ebgpSender();
        sender.clearMessages();
        assertThat(h.speaker.requestRefresh(EBGP, V4).join()).isTrue();
        h.sync();
        assertThat(sender.received).containsExactly(new RouteRefreshMessage(V4));
        ScriptedPeer old = h.connect(peerConfig(OBSERVER, 65003), openWith(65003, OBSERVER,
                List.of(new Capability.Multiprotocol(V4), new Capability.FourOctetAs(65003))), new CodecOptions(true, false));
        old.clearMessages();
        assertThat(h.speaker.requestRefresh(OBSERVER, V4).join()).isFalse(); // no route refresh capability
        assertThat(h.speaker.requestRefresh(OBSERVER, AfiSafi.IPV6_UNICAST).join()).isFalse();
        h.sync();
        assertThat(old.received).isEmpty();
    }

    // ------------------------------------------------------------------ limits

    @Test
    void aPeerOverItsPrefixLimitGetsCeaseMaxPrefixesAndIsRestartedAfterItsRestartTime() {
        ScriptedPeer observer = h.observer();
        ScriptedPeer sender = h.connect(peerConfig(EBGP, 65001).withMaxPrefixes(3, Duration.ofSeconds(30)));
        sender.send(announce(sender, P1, P2, P3));
        h.sync();
        assertThat(observer.routes).containsKeys(P1, P2, P3);
        assertThat(sender.notification()).isEmpty();
        sender.send(announce(sender, P4));
        h.sync();
        // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, data AFI 1, SAFI 1, upper bound 3
        assertThat(sender.notification()).contains(new NotificationMessage(BgpError.CEASE_MAX_PREFIXES, new byte[] {0, 1, 1, 0, 0, 0, 3}));
        assertThat(sender.closed).isTrue();
        assertThat(observer.routes).doesNotContainKeys(P1, P2, P3, P4);
        PeerStatus st = h.status(EBGP);
        assertThat(st.restartAt()).contains(h.time.clock.instant().plusSeconds(30));
        assertThat(st.lastError()).get().asString().contains("more than 3 prefixes");
        // while held, the peer's own connections are refused
        MemoryTransport.MemoryChannel dialled = h.net.dial(new InetSocketAddress(EBGP.toInetAddress(), 40123), at(SPEAKER));
        assertThat(dialled.in.awaitData(10_000)).isTrue();
        assertThat(dialled.in.isClosed()).isTrue();
        h.advance(Duration.ofSeconds(29));
        assertThat(h.connecting(EBGP)).as("no reconnection before the restart time").isFalse();
        h.advance(Duration.ofSeconds(1));
        ScriptedPeer again = new ScriptedPeer("again", 65001, EBGP, new CodecOptions(true, false));
        again.handshake(h.accept(EBGP), ScriptedPeer.open(65001, EBGP, ScriptedPeer.capabilities(65001, true, BOTH)));
        h.peers.put(EBGP, again);
        h.sync();
        assertThat(h.state(EBGP)).isEqualTo(State.ESTABLISHED);
        again.send(announce(again, P1));
        h.sync();
        assertThat(observer.routes).containsKey(P1);
    }

    @Test
    void aPrefixLimitWithoutRestartTimeWaitsForEnablePeer() {
        h.observer();
        ScriptedPeer sender = h.connect(peerConfig(EBGP, 65001).withMaxPrefixes(1, Duration.ZERO));
        sender.send(announce(sender, P1, P2));
        h.sync();
        assertThat(sender.notification()).get().extracting(NotificationMessage::error).isEqualTo(java.util.Optional.of(BgpError.CEASE_MAX_PREFIXES));
        h.advance(Duration.ofHours(1));
        assertThat(h.connecting(EBGP)).isFalse();
        assertThat(h.status(EBGP).enabled()).isFalse();
        h.speaker.enablePeer(EBGP).join();
        h.sync();
        assertThat(h.accept(EBGP)).isNotNull();
    }

    @Test
    void whenTheHeapIsExhaustedThePeerWithTheLargestTableGetsCeaseOutOfResourcesAndTheOthersStay() {
        h.close();
        AtomicBoolean full = new AtomicBoolean();
        AtomicInteger released = new AtomicInteger();
        MemoryGuard guard = new MemoryGuard() {
            @Override public boolean exhausted(long growth, long routes) { return full.get(); }
            @Override public void released() { released.incrementAndGet(); }
        };
        h = new SpeakerHarness(SpeakerHarness.config(), guard);
        ScriptedPeer observer = h.observer();
        ScriptedPeer small = h.ibgpSender();
        ScriptedPeer big = h.ebgpSender();
        small.send(announce(small, P1));
        big.send(announce(big, P2, P3, P4));
        h.sync();
        full.set(true);
        h.sync();
        full.set(false);
        h.sync();
        assertThat(big.notification()).contains(new NotificationMessage(BgpError.CEASE_OUT_OF_RESOURCES));
        assertThat(big.closed).isTrue();
        assertThat(small.notification()).isEmpty();
        assertThat(h.state(IBGP)).isEqualTo(State.ESTABLISHED);
        assertThat(observer.routes).containsKey(P1).doesNotContainKeys(P2, P3, P4);
        assertThat(released.get()).as("the guard measures afresh once the table is gone").isEqualTo(1);
        h.advance(PeerRouting.MEMORY_RESTART);
        assertThat(h.accept(EBGP)).as("the peer is started again").isNotNull();
    }

    // ------------------------------------------------------------------ live configuration

    @Test
    void aNewExportFilterIsAppliedLiveSendingOnlyTheDifference() {
        ScriptedPeer sender = h.ebgpSender();
        ScriptedPeer observer = h.observer();
        sender.send(announce(sender, P1, P2));
        h.sync();
        long transitions = h.status(OBSERVER).counters().establishedTransitions();
        observer.clearMessages();
        h.speaker.updatePeer(peerConfig(OBSERVER, 65003).withExportFilter(r -> !r.prefix().equals(P2))).join();
        h.sync();
        assertThat(observer.routes).containsKey(P1).doesNotContainKey(P2);
        assertThat(observer.messages(UpdateMessage.class)).singleElement()
                .satisfies(u -> assertThat(u.withdrawn()).containsExactly(P2));
        assertThat(observer.notification()).isEmpty();
        assertThat(h.status(OBSERVER).counters().establishedTransitions()).isEqualTo(transitions);
        h.speaker.updatePeer(peerConfig(OBSERVER, 65003)).join();
        h.sync();
        assertThat(observer.routes).containsKeys(P1, P2);
    }

    @Test
    void aNewImportFilterDropsRoutesItRejectsAndAsksThePeerForTheRest() {
        ScriptedPeer sender = h.ebgpSender();
        ScriptedPeer observer = h.observer();
        sender.send(announce(sender, P1, P2));
        h.sync();
        sender.clearMessages();
        h.speaker.updatePeer(peerConfig(EBGP, 65001).withImportFilter(r -> !r.prefix().equals(P2))).join();
        h.sync();
        assertThat(observer.routes).containsKey(P1).doesNotContainKey(P2);
        assertThat(sender.received).contains(new RouteRefreshMessage(V4), new RouteRefreshMessage(AfiSafi.IPV6_UNICAST));
    }

    @Test
    void aChangeTheSessionCannotTakeRestartsItWithCeaseOtherConfigurationChange() {
        ScriptedPeer observer = h.observer();
        h.speaker.updatePeer(peerConfig(OBSERVER, 65003).withMultihop(true)).join();
        h.sync();
        assertThat(observer.notification()).contains(new NotificationMessage(BgpError.CEASE_OTHER_CONFIGURATION_CHANGE));
        assertThat(h.accept(OBSERVER)).as("and connects again").isNotNull();
    }

    @Test
    void removingAPeerSendsCeasePeerDeconfiguredAndForgetsItsRoutes() {
        ScriptedPeer observer = h.observer();
        ScriptedPeer sender = h.ebgpSender();
        sender.send(announce(sender, P1));
        h.sync();
        h.speaker.removePeer(EBGP).join();
        h.sync();
        assertThat(sender.notification()).contains(new NotificationMessage(BgpError.CEASE_PEER_DECONFIGURED));
        assertThat(observer.routes).doesNotContainKey(P1);
        assertThat(h.speaker.peer(EBGP).join()).isEmpty();
    }
}
