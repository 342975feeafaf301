package io.podnet.bgp.speaker;

import io.podnet.bgp.fsm.Action;
import io.podnet.bgp.fsm.Collision;
import io.podnet.bgp.fsm.Event;
import io.podnet.bgp.fsm.FsmConfig;
import io.podnet.bgp.fsm.SessionFsm;
import io.podnet.bgp.fsm.State;
import io.podnet.bgp.fsm.Timer;
import io.podnet.bgp.message.*;
import io.podnet.bgp.rib.AdjRibIn;
import io.podnet.bgp.rib.AdjRibOut;
import io.podnet.bgp.rib.PeerPolicy;
import io.podnet.bgp.rib.RouteSource;
import io.podnet.net.IpAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The shell around the FSM for one configured peer: performs the FSM's actions (connect, send, timers),
 * turns socket input and timer expiries into events, resolves connection collisions (RFC 4271 §6.8), stops
 * the session when a limit is hit and restarts it later, and hands an Established session's messages to
 * {@link PeerRouting}. Runs only on the speaker's RIB thread.
 */
final class PeerSession {
    private static final System.Logger LOG = System.getLogger(PeerSession.class.getName());

    private final Speaker sp;
    PeerConfig cfg;
    final PeerRouting routing;
    boolean enabled = true;
    private Session primary;
    private Session secondary;
    // Writers of closed connections that may still flush (a NOTIFICATION). Their futures, not their sessions: a
    // session that dropped its connection may connect again, and then its writerDone is the live writer's.
    private final List<CompletableFuture<Void>> closing = new ArrayList<>(2);
    private Instant since;
    private String lastError;
    private Scheduler.Cancellable heldTimer; // a limit stopped the session: restart when it fires
    private Instant restartAt;
    private long messagesIn, messagesOut, transitions;

    PeerSession(Speaker sp, PeerConfig cfg) {
        this.sp = sp;
        this.cfg = cfg;
        this.routing = new PeerRouting(sp, this);
    }

    IpAddress address() { return cfg.address(); }

    boolean ibgp() { return cfg.asn() == sp.config().asn(); }

    Session primary() { return primary; }

    private FsmConfig fsmConfig() {
        SpeakerConfig c = sp.config();
        List<Capability> caps = new ArrayList<>();
        for (AfiSafi f : cfg.families()) caps.add(new Capability.Multiprotocol(f));
        caps.add(new Capability.RouteRefresh());
        caps.add(new Capability.EnhancedRouteRefresh());
        caps.add(new Capability.ExtendedMessage());
        c.gracefulRestart().ifPresent(d -> caps.add(new Capability.GracefulRestart(false, false, (int) d.toSeconds(),
                cfg.families().stream().map(f -> new Capability.GrFamily(f, true)).toList())));
        return new FsmConfig(c.asn(), c.routerId(), cfg.asn(), new FsmConfig.Timers(c.holdTime(), c.connectRetry(), Duration.ofSeconds(1)), caps);
    }

    private OpenMessage localOpen() {
        FsmConfig f = fsmConfig();
        return OpenMessage.of(f.localAs(), f.timers().holdTime(), f.routerId(), f.capabilities());
    }

    // ------------------------------------------------------------------ lifecycle

    void start() {
        enabled = true;
        cancelHold();
        if (primary != null && !primary.dead) retire(primary);
        primary = new Session(new SessionFsm(fsmConfig()), true);
        fire(primary, cfg.passive() ? new Event.ManualStartWithPassiveTcpEstablishment() : new Event.ManualStart());
    }

    /** ManualStop on every connection: NOTIFICATION Cease, routes withdrawn (no graceful restart). */
    void stop() {
        enabled = false;
        for (Session s : sessions()) fire(s, new Event.ManualStop());
        routing.cancelTimers();
        cancelHold();
    }

    /** The peer is removed: Cease "Peer De-configured" (RFC 4486 §4) on every connection, no restart. */
    void deconfigure() {
        enabled = false;
        for (Session s : sessions()) fire(s, new Event.AutomaticStop(new NotificationMessage(BgpError.CEASE_PEER_DECONFIGURED)));
        routing.cancelTimers();
        cancelHold();
    }

    /**
     * Stops every connection with {@code cease} (RFC 4271 event 8, AutomaticStop) and starts again after
     * {@code restart}; zero: only {@link #start()} (enablePeer) brings it back. Connections from the peer are
     * refused meanwhile.
     */
    void stopFor(NotificationMessage cease, Duration restart, String why) {
        lastError = why;
        LOG.log(Level.WARNING, "peer={0} stopped: {1}; restart={2}", cfg.address(), why, restart.isZero() ? "manual" : restart);
        for (Session s : sessions()) fire(s, new Event.AutomaticStop(cease));
        cancelHold();
        if (restart.isZero()) {
            enabled = false;
            return;
        }
        restartAt = sp.clock().instant().plus(restart);
        heldTimer = sp.schedule(restart, () -> {
            heldTimer = null;
            restartAt = null;
            if (enabled) start();
        });
    }

    /** Applies a configuration that a running session can take (see {@link PeerConfig#needsNewSession}). */
    void reconfigure(PeerConfig next) {
        PeerConfig old = cfg;
        cfg = next;
        if (old.needsNewSession(next)) {
            for (Session s : sessions()) fire(s, new Event.AutomaticStop(new NotificationMessage(BgpError.CEASE_OTHER_CONFIGURATION_CHANGE)));
            sp.rib().updatePeerPolicy(policy(null, null));
            if (enabled) start();
            return;
        }
        routing.reconfigured(old, next);
    }

    /** Drops every socket at once, sending nothing: what a crash looks like to the peer. */
    void abort() {
        for (Session s : sessions()) {
            s.abort();
            s.dead = true;
            s.timers.values().forEach(Scheduler.Cancellable::cancel);
        }
        routing.cancelTimers();
        cancelHold();
    }

    private void cancelHold() {
        if (heldTimer != null) heldTimer.cancel();
        heldTimer = null;
        restartAt = null;
    }

    private List<Session> sessions() {
        List<Session> l = new ArrayList<>(2);
        if (primary != null && !primary.dead) l.add(primary);
        if (secondary != null && !secondary.dead) l.add(secondary);
        return l;
    }

    /** Completes once every message queued for this peer so far has been written (or its socket closed). */
    CompletableFuture<Void> flushed() {
        List<CompletableFuture<Void>> fs = new ArrayList<>(3);
        closing.removeIf(CompletableFuture::isDone);
        fs.addAll(closing);
        for (Session s : sessions()) fs.add(s.mark());
        return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new));
    }

    // ------------------------------------------------------------------ connections

    /** A connection from this peer was accepted. */
    void incoming(Transport.Channel ch) {
        if (!enabled || primary == null || heldTimer != null) {
            closeQuietly(ch);
            return;
        }
        switch (primary.fsm.state()) {
            case CONNECT, ACTIVE -> {
                primary.connectGen++; // an outgoing attempt in flight is now obsolete
                adopt(primary, ch, false);
                fire(primary, new Event.TcpConnectionConfirmed());
            }
            case OPEN_SENT, OPEN_CONFIRM -> {
                if (secondary != null && !secondary.dead) {
                    closeQuietly(ch);
                    return;
                }
                secondary = acceptInto(ch);
            }
            case IDLE, ESTABLISHED -> {
                // The peer restarted (RFC 4724 §4.2: a new connection replaces the old session).
                Session old = primary;
                if (old.fsm.state() == State.ESTABLISHED) fire(old, new Event.TcpConnectionFails());
                retire(old);
                primary = acceptInto(ch);
            }
        }
    }

    private Session acceptInto(Transport.Channel ch) {
        Session s = new Session(new SessionFsm(fsmConfig()), false);
        s.suppressConnect = !cfg.passive();
        fire(s, cfg.passive() ? new Event.ManualStartWithPassiveTcpEstablishment() : new Event.ManualStart());
        adopt(s, ch, false);
        fire(s, new Event.TcpConnectionConfirmed());
        return s;
    }

    private void retire(Session s) {
        s.dead = true;
        s.timers.values().forEach(Scheduler.Cancellable::cancel);
        if (s.connected()) s.closeAfterFlush();
        closing.add(s.writerDone);
    }

    private void adopt(Session s, Transport.Channel ch, boolean initiatedLocally) {
        s.initiatedLocally = initiatedLocally;
        s.attach(ch, localOpen(), (in, done) -> sp.post(() -> {
            try {
                onInbound(s, in);
            } finally {
                done.run();
            }
        }));
    }

    private void connect(Session s) {
        if (s.suppressConnect) {
            s.suppressConnect = false;
            return;
        }
        int gen = ++s.connectGen;
        InetSocketAddress remote = new InetSocketAddress(cfg.address().toInetAddress(), cfg.port());
        PeerConfig c = cfg;
        Thread.Builder b = c.password().isPresent() ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        b.name("bgp-connect-" + c.address()).start(() -> {
            try {
                Transport.Channel ch = sp.transport().connect(remote, c.localAddress().map(IpAddress::toInetAddress),
                        c.password(), Duration.ofSeconds(5));
                sp.post(() -> {
                    State st = s.fsm.state();
                    if (s.dead || gen != s.connectGen || s.connected() || (st != State.CONNECT && st != State.ACTIVE)) {
                        closeQuietly(ch);
                        return;
                    }
                    adopt(s, ch, true);
                    fire(s, new Event.TcpCrAcked());
                });
            } catch (IOException | RuntimeException e) {
                sp.post(() -> {
                    if (s.dead || gen != s.connectGen || s.connected()) return;
                    lastError = "connect: " + e.getMessage();
                    fire(s, new Event.TcpConnectionFails());
                });
            }
        });
    }

    private void onInbound(Session s, Session.Inbound in) {
        if (s.dead || in.gen() != s.channelGen) return;
        switch (in) {
            case Session.Received r -> {
                messagesIn++;
                if (r.tolerated() != null && s.fsm.state() == State.ESTABLISHED) routing.tolerated(s, r.tolerated());
                fire(s, switch (r.message()) {
                    case OpenMessage o -> new Event.BgpOpen(o);
                    case UpdateMessage u -> new Event.UpdateMsg(u);
                    case NotificationMessage n -> new Event.NotifMsg(n);
                    case KeepaliveMessage _ -> new Event.KeepAliveMsg();
                    case RouteRefreshMessage rr -> new Event.RouteRefreshMsg(rr);
                });
            }
            case Session.Failed f -> {
                lastError = "received malformed message: " + f.error().error();
                fire(s, s.fsm.errorEvent(f.error(), f.type()));
            }
            case Session.Closed c -> {
                lastError = c.why();
                fire(s, new Event.TcpConnectionFails());
            }
        }
    }

    // ------------------------------------------------------------------ FSM actions

    private void fire(Session s, Event e) {
        if (s.dead) return;
        State before = s.fsm.state();
        for (Action a : s.fsm.on(e)) perform(s, a);
        State after = s.fsm.state();
        if (before != after) LOG.log(Level.DEBUG, "peer={0} {1} -> {2} on {3}", cfg.address(), before, after, e.getClass().getSimpleName());
        if (e instanceof Event.BgpOpen && after == State.OPEN_CONFIRM) detectCollision(s);
    }

    /** RFC 4271 §6.8, checked when an OPEN arrives on one of two connections to the same peer. */
    private void detectCollision(Session s) {
        Session other = s == primary ? secondary : primary;
        if (other == null || other.dead) return;
        State os = other.fsm.state();
        if (os != State.OPEN_SENT && os != State.OPEN_CONFIRM) return;
        IpAddress remoteId = s.fsm.negotiated().orElseThrow().peer().bgpId();
        boolean closeLocal = Collision.resolveLocal(sp.config().routerId(), remoteId);
        Session loser = s.initiatedLocally == closeLocal ? s : other;
        Session winner = loser == s ? other : s;
        fire(loser, new Event.OpenCollisionDump());
        loser.dead = true;
        closing.add(loser.writerDone);
        primary = winner;
        secondary = null;
    }

    private void perform(Session s, Action a) {
        switch (a) {
            case Action.ConnectTcp _ -> connect(s);
            case Action.DropTcp _ -> {
                s.connectGen++;
                if (s.connected()) {
                    s.closeAfterFlush();
                    closing.add(s.writerDone);
                }
            }
            case Action.Send m -> {
                if (s.connected()) {
                    s.send(MessageCodec.encode(m.message(), s.codec));
                    messagesOut++;
                }
            }
            case Action.StartTimer t -> startTimer(s, t.timer(), t.after());
            case Action.StopTimer t -> stopTimer(s, t.timer());
            case Action.SessionUp u -> {
                if (s != primary) {
                    Session old = primary;
                    primary = s;
                    secondary = null;
                    if (old != null && !old.dead) {
                        fire(old, new Event.OpenCollisionDump());
                        old.dead = true;
                        closing.add(old.writerDone);
                    }
                }
                transitions++;
                since = sp.clock().instant();
                lastError = null;
                routing.sessionUp(s, u.negotiated());
            }
            case Action.SessionDown d -> {
                String cause = lastError;
                lastError = cause == null || d.reason().contains(cause) ? d.reason() : d.reason() + " (" + cause + ")";
                since = null;
                routing.sessionDown(s, lastError, d.notificationExchanged());
            }
            case Action.Deliver d -> routing.deliver(s, d.message());
        }
    }

    private void startTimer(Session s, Timer t, Duration d) {
        stopTimer(s, t);
        int gen = s.timerGen[t.ordinal()];
        s.timers.put(t, sp.schedule(d, () -> {
            if (s.dead || s.timerGen[t.ordinal()] != gen) return;
            s.timers.remove(t);
            fire(s, switch (t) {
                case CONNECT_RETRY -> new Event.ConnectRetryTimerExpires();
                case HOLD -> new Event.HoldTimerExpires();
                case KEEPALIVE -> new Event.KeepaliveTimerExpires();
                case IDLE_HOLD -> new Event.IdleHoldTimerExpires();
            });
        }));
    }

    private void stopTimer(Session s, Timer t) {
        s.timerGen[t.ordinal()]++;
        Scheduler.Cancellable f = s.timers.remove(t);
        if (f != null) f.cancel();
    }

    // ------------------------------------------------------------------ RIB side

    PeerPolicy policy(Session s, io.podnet.bgp.fsm.Negotiated n) {
        RouteSource.Kind kind = ibgp() ? RouteSource.Kind.IBGP : RouteSource.Kind.EBGP;
        boolean client = cfg.rrClient() && sp.config().clusterId().isPresent();
        IpAddress peerId = n == null ? IpAddress.v4(0) : n.peer().bgpId();
        RouteSource src = new RouteSource(kind, cfg.address(), cfg.asn(), peerId, client);
        IpAddress v4 = sp.config().routerId();
        Optional<IpAddress> v6 = cfg.nextHopV6();
        if (s != null && s.channel != null) {
            InetSocketAddress local = s.channel.localAddress();
            IpAddress l = IpAddress.of(local.getAddress());
            if (local.getAddress() instanceof Inet4Address) v4 = l;
            else if (v6.isEmpty()) v6 = Optional.of(l);
        }
        if (cfg.localAddress().filter(IpAddress::isV4).isPresent()) v4 = cfg.localAddress().get();
        return new PeerPolicy(src, cfg.nextHopSelf(), new PeerPolicy.NextHops(v4, v6),
                new PeerPolicy.Filters(cfg.importFilter(), cfg.exportFilter()));
    }

    void countSent() { messagesOut++; }

    /** Remembers why the session last failed or what was last wrong (status). */
    void note(String error) { lastError = error; }

    PeerStatus status() {
        State st = primary == null ? State.IDLE : primary.fsm.state();
        long rcv = sp.rib().adjRibIn(cfg.address()).map(AdjRibIn::size).orElse(0);
        long adv = sp.rib().adjRibOut(cfg.address()).map(AdjRibOut::size).orElse(0);
        Session up = primary != null && primary.negotiated != null ? primary : null;
        return new PeerStatus(cfg.address(), cfg.asn(), enabled, st, Optional.ofNullable(since),
                new PeerStatus.Counters(messagesIn, messagesOut, routing.updatesIn, routing.updatesOut, rcv, adv, transitions, routing.malformed),
                Optional.ofNullable(lastError), Optional.ofNullable(routing.lastMalformed),
                up == null ? java.util.Set.of() : up.disabled, Optional.ofNullable(restartAt));
    }

    static void closeQuietly(Transport.Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
