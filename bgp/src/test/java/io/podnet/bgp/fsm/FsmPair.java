package io.podnet.bgp.fsm;

import io.podnet.bgp.fsm.Action.*;
import io.podnet.bgp.message.*;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Two FSMs back to back over an in-memory "wire" (encoded bytes in queues) with a manual clock: the test
 * advances time, due timers fire, messages are decoded and fed to the other side. No threads, no sleeps.
 */
final class FsmPair {
    final ManualClock clock = new ManualClock();
    final Side a;
    final Side b;
    boolean wireUp;

    final class Side {
        final String name;
        final SessionFsm fsm;
        final Map<Timer, Instant> timers = new EnumMap<>(Timer.class);
        final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
        final List<Action> log = new ArrayList<>();
        boolean deaf; // drops everything it would receive (to let its hold timer expire)
        boolean mute; // sends nothing
        Side other;

        Side(String name, FsmConfig config) {
            this.name = name;
            this.fsm = new SessionFsm(config);
        }

        void fire(Event e) {
            for (Action act : fsm.on(e)) perform(act);
        }

        private void perform(Action act) {
            log.add(act);
            switch (act) {
                case ConnectTcp _ -> {
                    if (other.fsm.state() == State.ACTIVE || other.fsm.state() == State.CONNECT) {
                        wireUp = true;
                        fire(new Event.TcpCrAcked());
                        other.fire(new Event.TcpConnectionConfirmed());
                    } else {
                        fire(new Event.TcpConnectionFails());
                    }
                }
                case DropTcp _ -> {
                    if (wireUp) {
                        wireUp = false;
                        other.inboxClosed = true;
                    }
                }
                case Send s -> {
                    if (!mute && wireUp) other.inbox.add(MessageCodec.encode(s.message(), CodecOptions.DEFAULT));
                }
                case StartTimer t -> timers.put(t.timer(), clock.instant().plus(t.after()));
                case StopTimer t -> timers.remove(t.timer());
                case SessionUp _, SessionDown _, Deliver _ -> { }
            }
        }

        boolean inboxClosed;

        boolean deliverOne() {
            if (inboxClosed && inbox.isEmpty()) {
                inboxClosed = false;
                fire(new Event.TcpConnectionFails());
                return true;
            }
            byte[] bytes = inbox.poll();
            if (bytes == null) return false;
            if (deaf) return true;
            try {
                fire(switch (MessageCodec.decode(bytes, CodecOptions.DEFAULT)) {
                    case OpenMessage o -> new Event.BgpOpen(o);
                    case UpdateMessage u -> new Event.UpdateMsg(u);
                    case NotificationMessage n -> new Event.NotifMsg(n);
                    case KeepaliveMessage _ -> new Event.KeepAliveMsg();
                    case RouteRefreshMessage r -> new Event.RouteRefreshMsg(r);
                });
            } catch (MalformedMessageException e) {
                fire(fsm.errorEvent(e, bytes[18]));
            }
            return true;
        }

        boolean fireDueTimer() {
            for (var t : Map.copyOf(timers).entrySet()) {
                if (!t.getValue().isAfter(clock.instant())) {
                    timers.remove(t.getKey());
                    fire(switch (t.getKey()) {
                        case CONNECT_RETRY -> new Event.ConnectRetryTimerExpires();
                        case HOLD -> new Event.HoldTimerExpires();
                        case KEEPALIVE -> new Event.KeepaliveTimerExpires();
                        case IDLE_HOLD -> new Event.IdleHoldTimerExpires();
                    });
                    return true;
                }
            }
            return false;
        }

        <T extends Action> List<T> actions(Class<T> kind) {
            return log.stream().filter(kind::isInstance).map(kind::cast).toList();
        }
    }

    FsmPair(FsmConfig ca, FsmConfig cb) {
        a = new Side("a", ca);
        b = new Side("b", cb);
        a.other = b;
        b.other = a;
    }

    /** Delivers messages and fires due timers until nothing changes. */
    void settle() {
        for (int i = 0; i < 10_000; i++) {
            boolean moved = a.deliverOne() | b.deliverOne() | a.fireDueTimer() | b.fireDueTimer();
            if (!moved) return;
        }
        throw new AssertionError("did not settle");
    }

    /** Advances the clock one second at a time, settling after each step. */
    void run(Duration d) {
        for (long s = 0; s < d.toSeconds(); s++) {
            clock.advance(Duration.ofSeconds(1));
            settle();
        }
    }
}
