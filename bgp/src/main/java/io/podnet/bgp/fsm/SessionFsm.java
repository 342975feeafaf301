package io.podnet.bgp.fsm;

import io.podnet.bgp.fsm.Action.*;
import io.podnet.bgp.fsm.Event.*;
import io.podnet.bgp.message.BgpError;
import io.podnet.bgp.message.KeepaliveMessage;
import io.podnet.bgp.message.MalformedMessageException;
import io.podnet.bgp.message.NotificationMessage;
import io.podnet.bgp.message.OpenMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The BGP finite state machine of RFC 4271 §8.2.2 for one connection, as a pure object: {@link #on(Event)}
 * returns the actions to perform. No clock, threads or sockets; the session shell executes the actions and
 * turns timer expiries and received messages back into events. Optional session attributes not implemented:
 * DelayOpen, DampPeerOscillations, SendNOTIFICATIONwithoutOPEN; AllowAutomaticStart is always true (the
 * IdleHoldTimer restarts a session that failed, but not one stopped with ManualStop).
 */
public final class SessionFsm {
    /** RFC 4271 §8.2.2: "a large value" for the HoldTimer while waiting for OPEN; 4 minutes is suggested. */
    static final Duration OPEN_HOLD = Duration.ofMinutes(4);

    private final FsmConfig config;
    private State state = State.IDLE;
    private boolean passive;
    private boolean stopped = true;
    private int connectRetryCounter;
    private OpenMessage localOpen;
    private Negotiated negotiated;

    public SessionFsm(FsmConfig config) {
        this.config = config;
    }

    public State state() { return state; }

    public int connectRetryCounter() { return connectRetryCounter; }

    /** What was negotiated, once OPENs were exchanged (OpenConfirm and Established). */
    public Optional<Negotiated> negotiated() { return Optional.ofNullable(negotiated); }

    /** Feeds one event; returns the actions in the order they must be performed. */
    public List<Action> on(Event e) {
        List<Action> out = new ArrayList<>(4);
        switch (state) {
            case IDLE -> idle(e, out);
            case CONNECT, ACTIVE -> connecting(e, out);
            case OPEN_SENT -> openSent(e, out);
            case OPEN_CONFIRM -> openConfirm(e, out);
            case ESTABLISHED -> established(e, out);
        }
        return out;
    }

    private void idle(Event e, List<Action> out) {
        switch (e) {
            case ManualStart _ -> start(false, out);
            case ManualStartWithPassiveTcpEstablishment _ -> start(true, out);
            case AutomaticStart _ -> start(passive, out);
            case IdleHoldTimerExpires _ -> { if (!stopped) start(passive, out); }
            default -> { } // §8.2.2 Idle: all other events are ignored
        }
    }

    private void start(boolean passiveStart, List<Action> out) {
        passive = passiveStart;
        stopped = false;
        connectRetryCounter = 0;
        out.add(new StartTimer(Timer.CONNECT_RETRY, config.timers().connectRetry()));
        if (passive) {
            state = State.ACTIVE;
        } else {
            out.add(new ConnectTcp());
            state = State.CONNECT;
        }
    }

    /** Connect and Active (§8.2.2): waiting for a TCP connection in either direction. */
    private void connecting(Event e, List<Action> out) {
        switch (e) {
            case ManualStop _, AutomaticStop _ -> { stopped = true; out.add(new DropTcp()); out.add(new StopTimer(Timer.CONNECT_RETRY)); state = State.IDLE; }
            case ConnectRetryTimerExpires _ -> {
                out.add(new StartTimer(Timer.CONNECT_RETRY, config.timers().connectRetry()));
                if (!passive) {
                    out.add(new DropTcp());
                    out.add(new ConnectTcp());
                    state = State.CONNECT;
                }
            }
            case TcpCrAcked _, TcpConnectionConfirmed _ -> {
                out.add(new StopTimer(Timer.CONNECT_RETRY));
                localOpen = OpenMessage.of(config.localAs(), config.timers().holdTime(), config.routerId(), config.capabilities());
                out.add(new Send(localOpen));
                out.add(new StartTimer(Timer.HOLD, OPEN_HOLD));
                state = State.OPEN_SENT;
            }
            case TcpConnectionFails _ -> {
                out.add(new StartTimer(Timer.CONNECT_RETRY, config.timers().connectRetry()));
                state = State.ACTIVE;
            }
            case ManualStart _, ManualStartWithPassiveTcpEstablishment _, AutomaticStart _, IdleHoldTimerExpires _ -> { }
            default -> toIdle(out, Optional.empty(), "unexpected event " + e + " in " + state);
        }
    }

    private void openSent(Event e, List<Action> out) {
        switch (e) {
            case ManualStop _ -> manualStop(out);
            case HoldTimerExpires _ -> toIdle(out, Optional.of(new NotificationMessage(BgpError.HOLD_TIMER_EXPIRED)), "hold timer expired");
            case TcpConnectionFails _ -> {
                out.add(new DropTcp());
                out.add(new StopTimer(Timer.HOLD));
                out.add(new StartTimer(Timer.CONNECT_RETRY, config.timers().connectRetry()));
                state = State.ACTIVE;
            }
            case BgpOpen o -> receiveOpen(o.open(), out);
            case BgpHeaderErr x -> toIdle(out, Optional.of(x.error().toNotification()), "malformed header");
            case BgpOpenMsgErr x -> toIdle(out, Optional.of(x.error().toNotification()), "malformed OPEN");
            case OpenCollisionDump _ -> collisionDump(out);
            case NotifMsg n -> toIdle(out, Optional.empty(), "peer sent " + n.notification());
            case NotifMsgErr x -> toIdle(out, Optional.empty(), "peer sent a malformed NOTIFICATION: " + x.error().error());
            case AutomaticStop a -> automaticStop(a, out);
            case ManualStart _, ManualStartWithPassiveTcpEstablishment _, AutomaticStart _, IdleHoldTimerExpires _ -> { }
            default -> toIdle(out, Optional.of(new NotificationMessage(BgpError.FSM_UNEXPECTED_MESSAGE_IN_OPEN_SENT)), "FSM error in OpenSent: " + e);
        }
    }

    /** §6.2 checks the FSM can make (syntax was checked by the decoder), then §8.2.2 OpenSent + BgpOpen. */
    private void receiveOpen(OpenMessage peer, List<Action> out) {
        // RFC 7607 §2: AS 0 in an OPEN is "Bad Peer AS", whatever AS is expected
        if (peer.asn() == 0 || (config.peerAs() != 0 && peer.asn() != config.peerAs())) {
            toIdle(out, Optional.of(new NotificationMessage(BgpError.BAD_PEER_AS)), "peer AS " + peer.asn() + " != " + config.peerAs());
            return;
        }
        int id = peer.bgpId().v4Int();
        // RFC 6286 §2.2: zero is invalid; an identical identifier is invalid within one AS.
        if (id == 0 || (peer.asn() == config.localAs() && id == config.routerId().v4Int())) {
            toIdle(out, Optional.of(new NotificationMessage(BgpError.BAD_BGP_IDENTIFIER)), "bad BGP identifier " + peer.bgpId());
            return;
        }
        negotiated = Negotiated.of(localOpen, peer);
        out.add(new StopTimer(Timer.CONNECT_RETRY));
        out.add(new Send(KeepaliveMessage.INSTANCE));
        if (negotiated.holdTime() > 0) {
            out.add(new StartTimer(Timer.KEEPALIVE, Duration.ofSeconds(negotiated.keepaliveTime())));
            out.add(new StartTimer(Timer.HOLD, Duration.ofSeconds(negotiated.holdTime())));
        } else {
            out.add(new StopTimer(Timer.HOLD));
        }
        state = State.OPEN_CONFIRM;
    }

    private void openConfirm(Event e, List<Action> out) {
        switch (e) {
            case ManualStop _ -> manualStop(out);
            case HoldTimerExpires _ -> toIdle(out, Optional.of(new NotificationMessage(BgpError.HOLD_TIMER_EXPIRED)), "hold timer expired");
            case KeepaliveTimerExpires _ -> keepalive(out);
            case TcpConnectionFails _ -> toIdle(out, Optional.empty(), "connection failed");
            case NotifMsg n -> toIdle(out, Optional.empty(), "peer sent " + n.notification());
            case NotifMsgErr x -> toIdle(out, Optional.empty(), "peer sent a malformed NOTIFICATION: " + x.error().error());
            case AutomaticStop a -> automaticStop(a, out);
            case BgpHeaderErr x -> toIdle(out, Optional.of(x.error().toNotification()), "malformed header");
            case BgpOpenMsgErr x -> toIdle(out, Optional.of(x.error().toNotification()), "malformed OPEN");
            case OpenCollisionDump _ -> collisionDump(out);
            case KeepAliveMsg _ -> {
                restartHold(out);
                state = State.ESTABLISHED;
                out.add(new SessionUp(negotiated));
            }
            case ManualStart _, ManualStartWithPassiveTcpEstablishment _, AutomaticStart _, IdleHoldTimerExpires _ -> { }
            default -> toIdle(out, Optional.of(new NotificationMessage(BgpError.FSM_UNEXPECTED_MESSAGE_IN_OPEN_CONFIRM)), "FSM error in OpenConfirm: " + e);
        }
    }

    private void established(Event e, List<Action> out) {
        switch (e) {
            case ManualStop _ -> manualStop(out);
            case HoldTimerExpires _ -> toIdle(out, Optional.of(new NotificationMessage(BgpError.HOLD_TIMER_EXPIRED)), "hold timer expired");
            case KeepaliveTimerExpires _ -> keepalive(out);
            case KeepAliveMsg _ -> restartHold(out);
            case UpdateMsg u -> { restartHold(out); out.add(new Deliver(u.update())); }
            case RouteRefreshMsg r -> { restartHold(out); out.add(new Deliver(r.request())); }
            case UpdateMsgErr x -> toIdle(out, Optional.of(x.error().toNotification()), "malformed UPDATE: " + x.error().error());
            case BgpHeaderErr x -> toIdle(out, Optional.of(x.error().toNotification()), "malformed header");
            case TcpConnectionFails _ -> toIdle(out, Optional.empty(), "connection failed");
            case NotifMsg n -> toIdle(out, Optional.empty(), "peer sent " + n.notification());
            case NotifMsgErr x -> toIdle(out, Optional.empty(), "peer sent a malformed NOTIFICATION: " + x.error().error());
            case AutomaticStop a -> automaticStop(a, out);
            case OpenCollisionDump _ -> collisionDump(out);
            case ManualStart _, ManualStartWithPassiveTcpEstablishment _, AutomaticStart _, IdleHoldTimerExpires _ -> { }
            default -> toIdle(out, Optional.of(new NotificationMessage(BgpError.FSM_UNEXPECTED_MESSAGE_IN_ESTABLISHED)), "FSM error in Established: " + e);
        }
    }

    private void keepalive(List<Action> out) {
        out.add(new Send(KeepaliveMessage.INSTANCE));
        if (negotiated != null && negotiated.holdTime() > 0) {
            out.add(new StartTimer(Timer.KEEPALIVE, Duration.ofSeconds(negotiated.keepaliveTime())));
        }
    }

    private void restartHold(List<Action> out) {
        if (negotiated != null && negotiated.holdTime() > 0) {
            out.add(new StartTimer(Timer.HOLD, Duration.ofSeconds(negotiated.holdTime())));
        }
    }

    private void manualStop(List<Action> out) {
        stopped = true;
        toIdle(out, Optional.of(new NotificationMessage(BgpError.CEASE_ADMINISTRATIVE_SHUTDOWN)), "manual stop");
    }

    /** Event 8 in OpenSent, OpenConfirm and Established: NOTIFICATION Cease, no automatic restart. */
    private void automaticStop(AutomaticStop a, List<Action> out) {
        stopped = true;
        toIdle(out, Optional.of(a.cease()), "automatic stop: " + a.cease());
    }

    private void collisionDump(List<Action> out) {
        stopped = true; // the surviving connection carries the session; this one must not restart
        toIdle(out, Optional.of(new NotificationMessage(BgpError.CEASE_CONNECTION_COLLISION_RESOLUTION)), "collision resolution");
    }

    /** The common "release resources, drop TCP, go to Idle" path of §8.2.2, with automatic restart unless stopped. */
    private void toIdle(List<Action> out, Optional<NotificationMessage> notify, String reason) {
        notify.ifPresent(n -> out.add(new Send(n)));
        out.add(new DropTcp());
        for (Timer t : new Timer[] {Timer.CONNECT_RETRY, Timer.HOLD, Timer.KEEPALIVE}) out.add(new StopTimer(t));
        if (state == State.ESTABLISHED) out.add(new SessionDown(reason, notify.isPresent() || reason.startsWith("peer sent")));
        connectRetryCounter++;
        negotiated = null;
        state = State.IDLE;
        if (!stopped) out.add(new StartTimer(Timer.IDLE_HOLD, config.timers().idleHold()));
    }

    /** Maps a decoding failure to the §8.1 error event for the current state. */
    public Event errorEvent(MalformedMessageException e, int messageType) {
        if (messageType == io.podnet.bgp.message.BgpMessage.TYPE_NOTIFICATION) return new NotifMsgErr(e); // §6.4
        if (e.error().code() == BgpError.MESSAGE_HEADER_ERROR.code()) return new BgpHeaderErr(e);
        if (messageType == io.podnet.bgp.message.BgpMessage.TYPE_OPEN) return new BgpOpenMsgErr(e);
        return new UpdateMsgErr(e);
    }
}
