package io.podnet.bgp.speaker;

import io.podnet.bgp.fsm.Action;
import io.podnet.bgp.fsm.Event;
import io.podnet.bgp.fsm.FsmConfig;
import io.podnet.bgp.fsm.Negotiated;
import io.podnet.bgp.fsm.SessionFsm;
import io.podnet.bgp.fsm.State;
import io.podnet.bgp.fsm.Timer;
import io.podnet.bgp.fsm.Collision;
import io.podnet.bgp.message.*;
import io.podnet.bgp.rib.AdjRibIn;
import io.podnet.bgp.rib.AdjRibOut;
import io.podnet.bgp.rib.PeerPolicy;
import io.podnet.bgp.rib.Rib;
import io.podnet.bgp.rib.RouteSource;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;

/**
 * The shell around the FSM for one configured peer: performs the FSM's actions (connect, send, timers),
 * turns socket input and timer expiries into events, resolves connection collisions (RFC 4271 §6.8), and
 * connects an Established session to the RIB, including the graceful-restart receiver procedures
 * (RFC 4724 §4.2). Runs only on the speaker's RIB thread.
 */
final class PeerSession {
    private static final System.Logger LOG = System.getLogger(PeerSession.class.getName());
    /** Routes packed into UPDATEs at a time when a whole table is sent (bounds the transient garbage). */
    private static final int FULL_TABLE_CHUNK = 8192;

    private final Speaker sp;
    final PeerConfig cfg;
    boolean enabled = true;
    private Session primary;
    private Session secondary;
    private Instant since;
    private String lastError;
    private Future<?> restartTimer;
    private long messagesIn, messagesOut, updatesIn, updatesOut, transitions, malformed;

    PeerSession(Speaker sp, PeerConfig cfg) {
        this.sp = sp;
        this.cfg = cfg;
    }

    IpAddress address() { return cfg.address(); }

    boolean ibgp() { return cfg.asn() == sp.config().asn(); }

    private FsmConfig fsmConfig() {
        SpeakerConfig c = sp.config();
        List<Capability> caps = new ArrayList<>();
        for (AfiSafi f : cfg.families()) caps.add(new Capability.Multiprotocol(f));
        caps.add(new Capability.RouteRefresh());
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
        primary = new Session(new SessionFsm(fsmConfig()), true);
        fire(primary, cfg.passive() ? new Event.ManualStartWithPassiveTcpEstablishment() : new Event.ManualStart());
    }

    /** ManualStop on every connection: NOTIFICATION Cease, routes withdrawn (no graceful restart). */
    void stop() {
        enabled = false;
        for (Session s : sessions()) fire(s, new Event.ManualStop());
        cancelRestartTimer();
    }

    /** Drops every socket at once, sending nothing: what a crash looks like to the peer. */
    void abort() {
        for (Session s : sessions()) {
            s.abort();
            s.dead = true;
            s.timers.values().forEach(f -> f.cancel(false));
        }
        cancelRestartTimer();
    }

    private List<Session> sessions() {
        List<Session> l = new ArrayList<>(2);
        if (primary != null && !primary.dead) l.add(primary);
        if (secondary != null && !secondary.dead) l.add(secondary);
        return l;
    }

    // ------------------------------------------------------------------ connections

    /** A connection from this peer was accepted. */
    void incoming(Transport.Channel ch) {
        if (!enabled || primary == null) {
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
        s.timers.values().forEach(f -> f.cancel(false));
        if (s.connected()) s.closeAfterFlush();
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
        Thread.Builder b = cfg.password().isPresent() ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        b.name("bgp-connect-" + cfg.address()).start(() -> {
            try {
                Transport.Channel ch = sp.transport().connect(remote, cfg.localAddress().map(IpAddress::toInetAddress),
                        cfg.password(), Duration.ofSeconds(5));
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
                if (r.tolerated() != null) {
                    malformed++;
                    LOG.log(Level.WARNING, "peer={0} malformed UPDATE handled by {1}: {2}", cfg.address(),
                            r.tolerated().handling(), r.tolerated().error());
                }
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
        primary = winner;
        secondary = null;
    }

    private void perform(Session s, Action a) {
        switch (a) {
            case Action.ConnectTcp _ -> connect(s);
            case Action.DropTcp _ -> {
                s.connectGen++;
                if (s.connected()) s.closeAfterFlush();
            }
            case Action.Send m -> {
                if (s.connected()) {
                    s.send(MessageCodec.encode(m.message(), s.codec));
                    messagesOut++;
                }
            }
            case Action.StartTimer t -> startTimer(s, t.timer(), t.after());
            case Action.StopTimer t -> stopTimer(s, t.timer());
            case Action.SessionUp u -> sessionUp(s, u.negotiated());
            case Action.SessionDown d -> sessionDown(s, d.reason(), d.notificationExchanged());
            case Action.Deliver d -> deliver(d.message());
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
        Future<?> f = s.timers.remove(t);
        if (f != null) f.cancel(false);
    }

    // ------------------------------------------------------------------ RIB side

    private void sessionUp(Session s, Negotiated n) {
        s.codec = n.codec();
        s.negotiated = n;
        if (s != primary) {
            Session old = primary;
            primary = s;
            secondary = null;
            if (old != null && !old.dead) {
                fire(old, new Event.OpenCollisionDump());
                old.dead = true;
            }
        }
        transitions++;
        since = sp.clock().instant();
        lastError = null;
        Rib rib = sp.rib();
        rib.updatePeerPolicy(policy(s, n));
        rib.sessionUp(cfg.address());
        handleRestartedPeer(n);
        LOG.log(Level.INFO, "peer={0} state=Established as={1} hold={2} families={3}", cfg.address(), String.valueOf(n.peer().asn()), String.valueOf(n.holdTime()), n.families());
        rib.fullTable(cfg.address(), null, FULL_TABLE_CHUNK, this::sendRoutes);
        for (AfiSafi f : n.families()) sendRaw(MessageCodec.encode(UpdateMessage.endOfRib(f), s.codec));
    }

    PeerPolicy policy(Session s, Negotiated n) {
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

    /** RFC 4724 §4.2: after the peer restarted, keep stale routes only for families with the F bit set. */
    private void handleRestartedPeer(Negotiated n) {
        cancelRestartTimer();
        AdjRibIn in = sp.rib().adjRibIn(cfg.address()).orElse(null);
        if (in == null || in.staleCount() == 0) return;
        Optional<Capability.GracefulRestart> gr = n.peerGracefulRestart();
        for (AfiSafi f : List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST)) {
            boolean kept = gr.map(g -> g.families().stream().anyMatch(x -> x.family().equals(f) && x.forwardingPreserved())).orElse(false);
            if (!kept) sp.markDirty(sp.rib().sweepStale(cfg.address(), f));
        }
        // Stale routes not refreshed by End-of-RIB within the restart time are dropped.
        int t = gr.map(Capability.GracefulRestart::restartTime).orElse(0);
        restartTimer = sp.schedule(Duration.ofSeconds(Math.max(1, t)), this::sweepAllStale);
    }

    private void sessionDown(Session s, String reason, boolean notified) {
        String cause = lastError;
        lastError = cause == null ? reason : reason + " (" + cause + ")";
        since = null;
        Negotiated n = s.negotiated;
        s.negotiated = null;
        Optional<Capability.GracefulRestart> gr = n == null ? Optional.empty() : n.peerGracefulRestart();
        boolean keep = gr.isPresent() && !notified && sp.config().gracefulRestart().isPresent();
        LOG.log(Level.INFO, "peer={0} state=Down reason={1} gracefulRestart={2}", cfg.address(), lastError, keep);
        sp.markDirty(sp.rib().sessionDown(cfg.address(), keep));
        if (keep) {
            for (AfiSafi f : List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST)) {
                if (gr.get().families().stream().noneMatch(x -> x.family().equals(f))) sp.markDirty(sp.rib().sweepStale(cfg.address(), f));
            }
            restartTimer = sp.schedule(Duration.ofSeconds(Math.max(1, gr.get().restartTime())), this::sweepAllStale);
        }
    }

    private void sweepAllStale() {
        restartTimer = null;
        for (AfiSafi f : List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST)) sp.markDirty(sp.rib().sweepStale(cfg.address(), f));
    }

    private void cancelRestartTimer() {
        if (restartTimer != null) restartTimer.cancel(false);
        restartTimer = null;
    }

    private void deliver(BgpMessage m) {
        Session s = primary;
        switch (m) {
            case UpdateMessage u -> {
                updatesIn++;
                Optional<AfiSafi> eor = u.endOfRibFamily();
                if (eor.isPresent()) {
                    sp.markDirty(sp.rib().sweepStale(cfg.address(), eor.get()));
                } else {
                    sp.markDirty(sp.rib().receive(cfg.address(), u, s.codec.fourOctetAs()));
                }
            }
            case RouteRefreshMessage rr -> {
                // RFC 2918 §4: re-advertise the Adj-RIB-Out for the requested family.
                IpFamily family = rr.family().equals(AfiSafi.IPV4_UNICAST) ? IpFamily.V4 : IpFamily.V6;
                sp.rib().fullTable(cfg.address(), family, FULL_TABLE_CHUNK, this::sendRoutes);
                if (s.negotiated != null) sendRaw(MessageCodec.encode(UpdateMessage.endOfRib(rr.family()), s.codec));
            }
            default -> { }
        }
    }

    void sendRoutes(List<Rib.OutRoute> routes) {
        Session s = primary;
        if (s == null || s.negotiated == null || routes.isEmpty()) return;
        UpdatePacker.pack(routes, s.negotiated.families(), s.codec, this::sendRaw);
    }

    private void sendRaw(byte[] b) {
        Session s = primary;
        if (s == null || !s.connected()) return;
        s.send(b);
        messagesOut++;
        updatesOut++;
    }

    PeerStatus status() {
        State st = primary == null ? State.IDLE : primary.fsm.state();
        long rcv = sp.rib().adjRibIn(cfg.address()).map(AdjRibIn::size).orElse(0);
        long adv = sp.rib().adjRibOut(cfg.address()).map(AdjRibOut::size).orElse(0);
        return new PeerStatus(cfg.address(), cfg.asn(), enabled, st, Optional.ofNullable(since),
                new PeerStatus.Counters(messagesIn, messagesOut, updatesIn, updatesOut, rcv, adv, transitions, malformed),
                Optional.ofNullable(lastError));
    }

    static void closeQuietly(Transport.Channel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
