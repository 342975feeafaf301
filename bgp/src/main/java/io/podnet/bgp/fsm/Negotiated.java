package io.podnet.bgp.fsm;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.Capability;
import io.podnet.bgp.message.CodecOptions;
import io.podnet.bgp.message.OpenMessage;
import java.util.List;
import java.util.Optional;

/**
 * What both OPENs agreed on: hold time (the smaller, RFC 4271 §4.2), keepalive interval (a third of it,
 * §10), the AFI/SAFIs both advertised (RFC 4760 §8), 4-octet AS (RFC 6793), extended messages (RFC 8654),
 * route refresh (RFC 2918), enhanced route refresh (RFC 7313), the peer's graceful restart capability
 * (RFC 4724) and whether the peer is external (for the RFC 7606 §7.5/§7.9/§7.10 rules).
 */
public record Negotiated(OpenMessage local, OpenMessage peer, int holdTime, List<AfiSafi> families,
                         CodecOptions codec) {
    public Negotiated {
        families = List.copyOf(families);
    }

    public static Negotiated of(OpenMessage local, OpenMessage peer) {
        int hold = Math.min(local.holdTime(), peer.holdTime());
        List<AfiSafi> fams = local.families().stream().filter(peer.families()::contains).toList();
        boolean four = local.capability(Capability.FourOctetAs.class).isPresent()
                && peer.capability(Capability.FourOctetAs.class).isPresent();
        boolean ext = local.capability(Capability.ExtendedMessage.class).isPresent()
                && peer.capability(Capability.ExtendedMessage.class).isPresent();
        return new Negotiated(local, peer, hold, fams, new CodecOptions(four, ext, local.asn() != peer.asn()));
    }

    public int keepaliveTime() { return holdTime / 3; }

    public boolean routeRefresh() { return peer.capability(Capability.RouteRefresh.class).isPresent(); }

    /** Both sides advertised enhanced route refresh (RFC 7313 §3): refreshes are framed by BoRR and EoRR. */
    public boolean enhancedRouteRefresh() {
        return local.capability(Capability.EnhancedRouteRefresh.class).isPresent()
                && peer.capability(Capability.EnhancedRouteRefresh.class).isPresent();
    }

    public Optional<Capability.GracefulRestart> peerGracefulRestart() {
        return peer.capability(Capability.GracefulRestart.class);
    }
}
