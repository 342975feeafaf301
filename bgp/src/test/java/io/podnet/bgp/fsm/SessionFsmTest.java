package io.podnet.bgp.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.bgp.fsm.Action.*;
import io.podnet.bgp.message.*;
import io.podnet.net.IpAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionFsmTest {
    static FsmConfig config(long as, String id, long peerAs, int hold) {
        return new FsmConfig(as, IpAddress.parse(id), peerAs,
                new FsmConfig.Timers(hold, Duration.ofSeconds(5), Duration.ofSeconds(1)),
                List.of(new Capability.Multiprotocol(AfiSafi.IPV4_UNICAST), new Capability.RouteRefresh()));
    }

    private static FsmPair established(int holdA, int holdB) {
        FsmPair p = new FsmPair(config(65001, "10.0.0.1", 65002, holdA), config(65002, "10.0.0.2", 65001, holdB));
        p.b.fire(new Event.ManualStartWithPassiveTcpEstablishment());
        p.a.fire(new Event.ManualStart());
        p.settle();
        return p;
    }

    @Test
    void activeAndPassiveSpeakersReachEstablishedWithTheSmallerHoldTime() {
        FsmPair p = established(90, 30);
        assertThat(p.a.fsm.state()).isEqualTo(State.ESTABLISHED);
        assertThat(p.b.fsm.state()).isEqualTo(State.ESTABLISHED);
        assertThat(p.a.actions(SessionUp.class)).singleElement().satisfies(u -> {
            assertThat(u.negotiated().holdTime()).isEqualTo(30);
            assertThat(u.negotiated().keepaliveTime()).isEqualTo(10);
            assertThat(u.negotiated().families()).containsExactly(AfiSafi.IPV4_UNICAST);
            assertThat(u.negotiated().routeRefresh()).isTrue();
        });
    }

    @Test
    void keepalivesHoldTheSessionUpForAnHourOfManualTime() {
        FsmPair p = established(9, 9);
        p.run(Duration.ofHours(1));
        assertThat(p.a.fsm.state()).isEqualTo(State.ESTABLISHED);
        assertThat(p.b.fsm.state()).isEqualTo(State.ESTABLISHED);
        assertThat(p.a.actions(Send.class).stream().filter(s -> s.message() instanceof KeepaliveMessage).count())
                .isGreaterThan(1000);
    }

    @Test
    void holdTimerExpiresWhenThePeerFallsSilentAndANotificationIsSent() {
        FsmPair p = established(9, 9);
        p.b.mute = true;
        p.run(Duration.ofSeconds(10));
        assertThat(p.a.actions(Send.class)).extracting(Send::message)
                .contains(new NotificationMessage(BgpError.HOLD_TIMER_EXPIRED));
        assertThat(p.a.actions(SessionDown.class)).singleElement()
                .extracting(SessionDown::reason).isEqualTo("hold timer expired");
    }

    @Test
    void manualStopSendsCeaseAndThePeerRestartsAutomatically() {
        FsmPair p = established(90, 90);
        p.a.fire(new Event.ManualStop());
        p.settle();
        assertThat(p.a.fsm.state()).isEqualTo(State.IDLE);
        assertThat(p.b.actions(SessionDown.class)).singleElement().satisfies(d -> assertThat(d.notificationExchanged()).isTrue());
        p.run(Duration.ofSeconds(2));
        assertThat(p.b.fsm.state()).isEqualTo(State.ACTIVE); // passive side waits again
        p.a.fire(new Event.ManualStart());
        p.settle();
        assertThat(p.a.fsm.state()).isEqualTo(State.ESTABLISHED);
        assertThat(p.b.fsm.state()).isEqualTo(State.ESTABLISHED);
    }

    @Test
    void wrongPeerAsIsRejectedWithBadPeerAs() {
        FsmPair p = new FsmPair(config(65001, "10.0.0.1", 65009, 90), config(65002, "10.0.0.2", 65001, 90));
        p.b.fire(new Event.ManualStartWithPassiveTcpEstablishment());
        p.a.fire(new Event.ManualStart());
        p.settle();
        assertThat(p.a.actions(Send.class)).extracting(Send::message).contains(new NotificationMessage(BgpError.BAD_PEER_AS));
        assertThat(p.a.actions(SessionUp.class)).isEmpty();
        assertThat(p.a.fsm.state()).isNotEqualTo(State.ESTABLISHED);
    }

    @Test
    void identicalIbgpRouterIdIsABadIdentifier() {
        FsmPair p = new FsmPair(config(65001, "10.0.0.1", 65001, 90), config(65001, "10.0.0.1", 65001, 90));
        p.b.fire(new Event.ManualStartWithPassiveTcpEstablishment());
        p.a.fire(new Event.ManualStart());
        p.settle();
        assertThat(p.b.actions(Send.class)).extracting(Send::message).contains(new NotificationMessage(BgpError.BAD_BGP_IDENTIFIER));
    }

    @Test
    void connectRetryTimerRetriesAnUnansweredConnect() {
        FsmPair p = new FsmPair(config(65001, "10.0.0.1", 65002, 90), config(65002, "10.0.0.2", 65001, 90));
        p.a.fire(new Event.ManualStart()); // b is Idle: the connect fails
        assertThat(p.a.fsm.state()).isEqualTo(State.ACTIVE);
        p.b.fire(new Event.ManualStartWithPassiveTcpEstablishment());
        p.run(Duration.ofSeconds(6));
        assertThat(p.a.actions(ConnectTcp.class)).hasSize(2);
        assertThat(p.a.fsm.state()).isEqualTo(State.ESTABLISHED);
    }

    @Test
    void updateBeforeEstablishedIsAnFsmError() {
        SessionFsm fsm = new SessionFsm(config(65001, "10.0.0.1", 65002, 90));
        fsm.on(new Event.ManualStart());
        fsm.on(new Event.TcpCrAcked());
        List<Action> out = fsm.on(new Event.UpdateMsg(new UpdateMessage(List.of(), List.of(), List.of())));
        assertThat(out).first().isEqualTo(new Send(new NotificationMessage(BgpError.FSM_UNEXPECTED_MESSAGE_IN_OPEN_SENT)));
        assertThat(fsm.state()).isEqualTo(State.IDLE);
        assertThat(out).contains(new StartTimer(Timer.IDLE_HOLD, Duration.ofSeconds(1)));
    }

    @Test
    void updatesInEstablishedAreDeliveredAndRestartTheHoldTimer() {
        FsmPair p = established(90, 90);
        UpdateMessage eor = UpdateMessage.endOfRib(AfiSafi.IPV4_UNICAST);
        List<Action> out = p.b.fsm.on(new Event.UpdateMsg(eor));
        assertThat(out).containsExactly(new StartTimer(Timer.HOLD, Duration.ofSeconds(90)), new Deliver(eor));
    }

    @Test
    void collisionKeepsTheConnectionInitiatedByTheHigherIdentifier() {
        IpAddress low = IpAddress.parse("10.0.0.1");
        IpAddress high = IpAddress.parse("192.168.0.1");
        assertThat(Collision.resolve(low, high)).isEqualTo(Collision.Loser.LOCALLY_INITIATED);
        assertThat(Collision.resolve(high, low)).isEqualTo(Collision.Loser.REMOTELY_INITIATED);
        // identifiers compare unsigned: 200.x is above 10.x
        assertThat(Collision.resolve(IpAddress.parse("200.0.0.1"), low)).isEqualTo(Collision.Loser.REMOTELY_INITIATED);
    }

    @Test
    void collisionDumpSendsCeaseAndDoesNotRestart() {
        FsmPair p = established(90, 90);
        List<Action> out = p.a.fsm.on(new Event.OpenCollisionDump());
        assertThat(out).first().isEqualTo(new Send(new NotificationMessage(BgpError.CEASE_CONNECTION_COLLISION_RESOLUTION)));
        assertThat(out).noneMatch(x -> x instanceof StartTimer);
    }

    @Test
    void automaticStopSendsTheGivenCeaseAndDoesNotRestartByItself() {
        FsmPair p = established(90, 90);
        NotificationMessage cease = new NotificationMessage(BgpError.CEASE_MAX_PREFIXES, new byte[] {0, 1, 1, 0, 0, 0, 10});
        p.a.fire(new Event.AutomaticStop(cease));
        p.settle();
        assertThat(p.a.actions(Send.class)).extracting(Send::message).contains(cease);
        assertThat(p.a.actions(SessionDown.class)).singleElement().satisfies(d -> assertThat(d.notificationExchanged()).isTrue());
        p.run(Duration.ofMinutes(5));
        assertThat(p.a.fsm.state()).isEqualTo(State.IDLE); // no IdleHoldTimer restart: the shell restarts it
        assertThat(p.a.timers).doesNotContainKey(Timer.IDLE_HOLD);
    }

    @Test
    void aMalformedNotificationIsNotAnsweredWithOne() {
        FsmPair p = established(90, 90);
        int sentBefore = p.a.actions(Send.class).size();
        var bad = new MalformedMessageException(BgpError.BAD_MESSAGE_LENGTH, ErrorHandling.SESSION_RESET, new byte[] {0, 20});
        p.a.fire(p.a.fsm.errorEvent(bad, BgpMessage.TYPE_NOTIFICATION));
        assertThat(p.a.fsm.state()).isEqualTo(State.IDLE);
        assertThat(p.a.actions(Send.class)).hasSize(sentBefore); // RFC 4271 §6.4
    }

    @Test
    void anOpenFromAsZeroIsBadPeerAsEvenForADynamicPeer() {
        FsmPair p = new FsmPair(config(65001, "10.0.0.1", 0, 90), config(0, "10.0.0.2", 65001, 90));
        p.b.fire(new Event.ManualStartWithPassiveTcpEstablishment());
        p.a.fire(new Event.ManualStart());
        p.settle();
        assertThat(p.a.actions(Send.class)).extracting(Send::message).contains(new NotificationMessage(BgpError.BAD_PEER_AS));
        assertThat(p.a.actions(SessionUp.class)).isEmpty();
    }
}
