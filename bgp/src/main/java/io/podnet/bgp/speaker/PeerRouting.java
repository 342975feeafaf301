package io.podnet.bgp.speaker;

import io.podnet.bgp.fsm.Negotiated;
import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.BgpError;
import io.podnet.bgp.message.BgpMessage;
import io.podnet.bgp.message.Capability;
import io.podnet.bgp.message.ErrorHandling;
import io.podnet.bgp.message.MalformedMessageException;
import io.podnet.bgp.message.MessageCodec;
import io.podnet.bgp.message.NotificationMessage;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.RouteRefreshMessage;
import io.podnet.bgp.message.UpdateMessage;
import io.podnet.bgp.rib.AdjRibIn;
import io.podnet.bgp.rib.Rib;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an Established session does with routes, for one peer: the initial advertisement and End-of-RIB,
 * received UPDATEs (RFC 7606 treatments, AFI/SAFI disable of RFC 4760 §7, next-hop checks, the prefix limit
 * of RFC 4486 §4), ROUTE-REFRESH served and requested (RFC 2918, enhanced per RFC 7313 §4), and the graceful
 * restart receiver procedures (RFC 4724 §4.2). Runs only on the speaker's RIB thread.
 */
final class PeerRouting {
    private static final System.Logger LOG = System.getLogger(PeerRouting.class.getName());
    /** Routes packed into UPDATEs at a time when a whole table is sent (bounds the transient garbage). */
    private static final int FULL_TABLE_CHUNK = 8192;
    /** RFC 7313 §4 allows a local upper bound on how long stale routes wait for their EoRR. */
    static final Duration REFRESH_STALE_LIMIT = Duration.ofMinutes(6);
    /** When the memory guard stopped a peer that has no prefix limit of its own, it starts again after this. */
    static final Duration MEMORY_RESTART = Duration.ofMinutes(1);

    private final Speaker sp;
    private final PeerSession peer;
    private Scheduler.Cancellable restartTimer; // graceful restart: how long stale routes are kept
    long updatesIn, updatesOut, malformed;
    PeerStatus.Malformed lastMalformed;

    PeerRouting(Speaker sp, PeerSession peer) {
        this.sp = sp;
        this.peer = peer;
    }

    private IpAddress address() { return peer.cfg.address(); }

    // ------------------------------------------------------------------ session up / down

    void sessionUp(Session s, Negotiated n) {
        s.codec = n.codec();
        s.negotiated = n;
        s.resetProtocolState();
        s.accepted = Set.copyOf(n.families());
        s.nextHopRules = nextHopRules(s);
        Rib rib = sp.rib();
        rib.updatePeerPolicy(peer.policy(s, n));
        rib.sessionUp(address());
        handleRestartedPeer(n);
        LOG.log(Level.INFO, "peer={0} state=Established as={1} hold={2} families={3}", address(), String.valueOf(n.peer().asn()),
                String.valueOf(n.holdTime()), n.families());
        rib.fullTable(address(), null, FULL_TABLE_CHUNK, this::sendRoutes);
        for (AfiSafi f : n.families()) sendRaw(MessageCodec.encode(UpdateMessage.endOfRib(f), s.codec));
    }

    /** The addresses the next-hop rules protect and the subnets a directly connected eBGP next hop must be on. */
    private InboundFilter.NextHopRules nextHopRules(Session s) {
        Set<IpAddress> own = new HashSet<>(4);
        InetSocketAddress local = s.channel == null ? null : s.channel.localAddress();
        if (local != null) {
            IpAddress l = IpAddress.of(local.getAddress());
            own.add(l);
            if (l.isV4()) own.add(new io.podnet.bgp.rib.PeerPolicy.NextHops(l, Optional.empty()).v6OrMapped());
        }
        peer.cfg.localAddress().ifPresent(own::add);
        peer.cfg.nextHopV6().ifPresent(own::add);
        boolean singleHop = !peer.ibgp() && !peer.cfg.multihop();
        return new InboundFilter.NextHopRules(Set.copyOf(own), address(), singleHop,
                s.channel == null ? List.of() : s.channel.localSubnets());
    }

    void sessionDown(Session s, String reason, boolean notified) {
        Negotiated n = s.negotiated;
        s.negotiated = null;
        s.resetProtocolState();
        Optional<Capability.GracefulRestart> gr = n == null ? Optional.empty() : n.peerGracefulRestart();
        boolean keep = gr.isPresent() && !notified && sp.config().gracefulRestart().isPresent();
        LOG.log(Level.INFO, "peer={0} state=Down reason={1} gracefulRestart={2}", address(), reason, keep);
        sp.markDirty(sp.rib().sessionDown(address(), keep));
        if (keep) {
            for (AfiSafi f : List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST)) {
                if (gr.get().families().stream().noneMatch(x -> x.family().equals(f))) sp.markDirty(sp.rib().sweepStale(address(), f));
            }
            restartTimer = sp.schedule(Duration.ofSeconds(Math.max(1, gr.get().restartTime())), this::sweepAllStale);
        }
    }

    /** RFC 4724 §4.2: after the peer restarted, keep stale routes only for families with the F bit set. */
    private void handleRestartedPeer(Negotiated n) {
        cancelRestartTimer();
        AdjRibIn in = sp.rib().adjRibIn(address()).orElse(null);
        if (in == null || in.staleCount() == 0) return;
        Optional<Capability.GracefulRestart> gr = n.peerGracefulRestart();
        for (AfiSafi f : List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST)) {
            boolean kept = gr.map(g -> g.families().stream().anyMatch(x -> x.family().equals(f) && x.forwardingPreserved())).orElse(false);
            if (!kept) sp.markDirty(sp.rib().sweepStale(address(), f));
        }
        // Stale routes not refreshed by End-of-RIB within the restart time are dropped.
        int t = gr.map(Capability.GracefulRestart::restartTime).orElse(0);
        restartTimer = sp.schedule(Duration.ofSeconds(Math.max(1, t)), this::sweepAllStale);
    }

    private void sweepAllStale() {
        restartTimer = null;
        for (AfiSafi f : List.of(AfiSafi.IPV4_UNICAST, AfiSafi.IPV6_UNICAST)) sp.markDirty(sp.rib().sweepStale(address(), f));
    }

    private void cancelRestartTimer() {
        if (restartTimer != null) restartTimer.cancel();
        restartTimer = null;
    }

    void cancelTimers() { cancelRestartTimer(); }

    // ------------------------------------------------------------------ received

    /**
     * An UPDATE that decoded with a non-fatal RFC 7606 treatment (its salvaged form is delivered next). For
     * AFI/SAFI disable: drop the peer's routes of the family and ignore the family for the rest of the
     * session (RFC 4760 §7); the session stays up.
     */
    void tolerated(Session s, MalformedMessageException e) {
        report(e.error(), e.handling(), "");
        if (e.handling() != ErrorHandling.AFI_SAFI_DISABLE) return;
        for (AfiSafi f : e.families()) {
            if (!s.disabled.add(f)) continue;
            LOG.log(Level.WARNING, "peer={0} family {1} disabled for this session (RFC 4760 §7)", address(), f);
            sp.markDirty(sp.rib().dropFamily(address(), f));
        }
        Set<AfiSafi> accepted = new LinkedHashSet<>(s.accepted);
        accepted.removeAll(s.disabled);
        s.accepted = Set.copyOf(accepted);
    }

    private void report(BgpError error, ErrorHandling handling, String detail) {
        malformed++;
        lastMalformed = new PeerStatus.Malformed(error, handling);
        LOG.log(Level.WARNING, "peer={0} malformed UPDATE handled by {1}: {2}{3}", address(), handling, error, detail);
    }

    void deliver(Session s, BgpMessage m) {
        switch (m) {
            case UpdateMessage u -> update(s, u);
            case RouteRefreshMessage rr -> routeRefresh(s, rr);
            default -> { }
        }
    }

    private void update(Session s, UpdateMessage u) {
        updatesIn++;
        Optional<AfiSafi> eor = u.endOfRibFamily();
        if (eor.isPresent()) { // RFC 4724 §2; of a family not in use: nothing to sweep
            if (s.accepted.contains(eor.get())) {
                s.endOfRibReceived.add(eor.get());
                sp.markDirty(sp.rib().sweepStale(address(), eor.get()));
            }
            return;
        }
        InboundFilter.Result r = InboundFilter.apply(u, s.accepted, s.nextHopRules);
        if (r.error() != null) report(r.error(), ErrorHandling.TREAT_AS_WITHDRAW, " (next hop, RFC 4271 §6.3)");
        sp.markDirty(sp.rib().receive(address(), r.update(), s.codec.fourOctetAs()));
        checkPrefixLimit(r.update());
    }

    /** RFC 4486 §4: Cease "Maximum Number of Prefixes Reached", data AFI, SAFI and the upper bound. */
    private void checkPrefixLimit(UpdateMessage u) {
        PeerConfig.PrefixLimit limit = peer.cfg.prefixLimit().orElse(null);
        if (limit == null) return;
        int held = sp.rib().adjRibIn(address()).map(AdjRibIn::size).orElse(0);
        if (held <= limit.maxPrefixes()) return;
        AfiSafi f = !u.nlri().isEmpty() ? AfiSafi.IPV4_UNICAST
                : u.attribute(PathAttribute.MpReach.class).map(PathAttribute.MpReach::family).orElse(AfiSafi.IPV4_UNICAST);
        byte[] data = ByteBuffer.allocate(7).putShort((short) f.afi()).put((byte) f.safi()).putInt(limit.maxPrefixes()).array();
        peer.stopFor(new NotificationMessage(BgpError.CEASE_MAX_PREFIXES, data), limit.restart(),
                "more than " + limit.maxPrefixes() + " prefixes (" + held + ", " + f + ")");
    }

    /** The memory guard chose this peer: Cease "Out of Resources" (RFC 4486 §4), restart as for its prefix limit. */
    void memoryExhausted(long routes) {
        Duration restart = peer.cfg.prefixLimit().map(PeerConfig.PrefixLimit::restart).filter(d -> !d.isZero()).orElse(MEMORY_RESTART);
        peer.stopFor(new NotificationMessage(BgpError.CEASE_OUT_OF_RESOURCES), restart,
                "out of memory: the heap cannot hold more routes (this peer had the largest table, " + routes + " prefixes)");
    }

    /**
     * RFC 2918 §4: a request for a family not negotiated is ignored; else the Adj-RIB-Out of the family is
     * sent again, framed by BoRR/EoRR when both sides advertised enhanced route refresh (RFC 7313 §4; our
     * End-of-RIB always went first, as §4 requires with graceful restart). A received BoRR marks the peer's
     * routes of the family stale, its EoRR sweeps those not re-advertised (§4); subtypes other than 0, 1, 2
     * are ignored (§5).
     */
    private void routeRefresh(Session s, RouteRefreshMessage rr) {
        AfiSafi f = rr.family();
        Negotiated n = s.negotiated;
        if (n == null || !n.families().contains(f)) {
            LOG.log(Level.INFO, "peer={0} ROUTE-REFRESH for {1}, not negotiated: ignored (RFC 2918 §4)", address(), f);
            return;
        }
        switch (rr.subtype()) {
            case RouteRefreshMessage.REQUEST -> serveRefresh(s, f);
            case RouteRefreshMessage.BORR -> beginRefresh(s, f);
            case RouteRefreshMessage.EORR -> endRefresh(s, f);
            default -> LOG.log(Level.WARNING, "peer={0} ROUTE-REFRESH subtype {1}: ignored (RFC 7313 §5)", address(), rr.subtype());
        }
    }

    private void serveRefresh(Session s, AfiSafi f) {
        boolean enhanced = s.negotiated.enhancedRouteRefresh();
        if (enhanced) sendRaw(MessageCodec.encode(new RouteRefreshMessage(f, RouteRefreshMessage.BORR), s.codec));
        sp.rib().fullTable(address(), f.afi() == AfiSafi.AFI_IPV4 ? IpFamily.V4 : IpFamily.V6, FULL_TABLE_CHUNK, this::sendRoutes);
        if (enhanced) sendRaw(MessageCodec.encode(new RouteRefreshMessage(f, RouteRefreshMessage.EORR), s.codec));
    }

    private void beginRefresh(Session s, AfiSafi f) {
        if (!s.negotiated.enhancedRouteRefresh() || s.disabled.contains(f)) {
            LOG.log(Level.INFO, "peer={0} BoRR for {1} without enhanced route refresh or for a disabled family: ignored", address(), f);
            return;
        }
        if (s.negotiated.peerGracefulRestart().isPresent() && !s.endOfRibReceived.contains(f)) {
            LOG.log(Level.WARNING, "peer={0} BoRR for {1} before its End-of-RIB: ignored (RFC 7313 §4)", address(), f);
            return;
        }
        sp.rib().markStale(address(), f);
        Scheduler.Cancellable old = s.refreshing.put(f, sp.schedule(REFRESH_STALE_LIMIT, () -> {
            if (s.refreshing.remove(f) != null) sp.markDirty(sp.rib().sweepStale(address(), f));
        }));
        if (old != null) old.cancel();
    }

    private void endRefresh(Session s, AfiSafi f) {
        Scheduler.Cancellable t = s.refreshing.remove(f);
        if (t == null) {
            LOG.log(Level.INFO, "peer={0} EoRR for {1} without a BoRR: ignored (RFC 7313 §4)", address(), f);
            return;
        }
        t.cancel();
        sp.markDirty(sp.rib().sweepStale(address(), f));
    }

    /** Asks the peer to send its routes of {@code f} again (RFC 2918); false if it cannot be asked now. */
    boolean requestRefresh(AfiSafi f) {
        Session s = peer.primary();
        if (s == null || s.negotiated == null || !s.negotiated.routeRefresh() || !s.negotiated.families().contains(f)) return false;
        sendRaw(MessageCodec.encode(new RouteRefreshMessage(f), s.codec));
        return true;
    }

    /** A change a running session can take: new policy, re-export of what changed, a refresh for a new import filter. */
    void reconfigured(PeerConfig old, PeerConfig next) {
        Session s = peer.primary();
        Negotiated n = s == null ? null : s.negotiated;
        Rib rib = sp.rib();
        sp.markDirty(rib.changePeerPolicy(peer.policy(s, n), FULL_TABLE_CHUNK, this::sendRoutes));
        if (old.importFilter() != next.importFilter() && n != null) {
            for (AfiSafi f : n.families()) requestRefresh(f); // soft reconfiguration inbound: the peer re-sends
        }
        if (n != null && next.prefixLimit().isPresent()) checkPrefixLimit(new UpdateMessage(List.of(), List.of(), List.of()));
    }

    // ------------------------------------------------------------------ sent

    void sendRoutes(List<Rib.OutRoute> routes) {
        Session s = peer.primary();
        if (s == null || s.negotiated == null || routes.isEmpty()) return;
        UpdatePacker.pack(routes, s.negotiated.families(), s.codec, this::sendRaw);
    }

    private void sendRaw(byte[] b) {
        Session s = peer.primary();
        if (s == null || !s.connected()) return;
        s.send(b);
        peer.countSent();
        updatesOut++;
    }
}
