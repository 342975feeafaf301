package io.podnet.bgp.speaker;

import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.BgpError;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.PathAttribute.MpReach;
import io.podnet.bgp.message.PathAttribute.MpUnreach;
import io.podnet.bgp.message.PathAttribute.NextHop;
import io.podnet.bgp.message.UpdateMessage;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a session does to a decoded UPDATE before the RIB sees it. Pure.
 * <ul>
 * <li>Prefixes of a family the session did not negotiate, or disabled after a malformed MP attribute, are
 *     ignored (RFC 4760 §7: "ignore all the subsequent routes with that AFI/SAFI").</li>
 * <li>Routes whose next hop is semantically wrong are ignored, i.e. treated as withdrawn, without a
 *     NOTIFICATION (RFC 4271 §6.3, "the route SHOULD be ignored"; §5.1.3): a next hop that is this speaker's
 *     own address, or, from a directly connected external peer, an IPv4 next hop that is neither the peer's
 *     address nor on a subnet of the local interface.</li>
 * </ul>
 */
final class InboundFilter {
    private InboundFilter() {}

    /**
     * The session facts the next-hop rules need.
     *
     * @param own           this speaker's addresses on the session (local address, configured next hops)
     * @param peer          the peer's address
     * @param singleHopEbgp an external peer that is not multihop
     * @param onLink        the local interface's subnets; empty when unknown (then any third party passes)
     */
    record NextHopRules(Set<IpAddress> own, IpAddress peer, boolean singleHopEbgp, List<IpPrefix> onLink) {
        boolean accepts(IpAddress nh) {
            if (own.contains(nh)) return false;
            if (!singleHopEbgp || !nh.isV4() || nh.equals(peer) || onLink.isEmpty()) return true;
            for (IpPrefix p : onLink) if (p.contains(nh)) return true;
            return false;
        }
    }

    /** The filtered UPDATE, and the error to report when routes were ignored for their next hop (else null). */
    record Result(UpdateMessage update, BgpError error) {}

    static Result apply(UpdateMessage u, Set<AfiSafi> accepted, NextHopRules rules) {
        boolean v4 = accepted.contains(AfiSafi.IPV4_UNICAST);
        List<IpPrefix> withdrawn = v4 ? u.withdrawn() : List.of();
        List<IpPrefix> nlri = v4 ? u.nlri() : List.of();
        boolean changed = !v4 && (!u.withdrawn().isEmpty() || !u.nlri().isEmpty());
        BgpError error = null;
        if (!nlri.isEmpty()) {
            IpAddress nh = u.attribute(NextHop.class).map(NextHop::address).orElse(null);
            if (nh != null && !rules.accepts(nh)) {
                withdrawn = concat(withdrawn, nlri);
                nlri = List.of();
                changed = true;
                error = BgpError.INVALID_NEXT_HOP_ATTRIBUTE;
            }
        }
        List<PathAttribute> attrs = u.attributes();
        List<PathAttribute> kept = null;
        for (int i = 0; i < attrs.size(); i++) {
            PathAttribute a = attrs.get(i);
            PathAttribute replaced = a;
            if (a instanceof MpReach r) {
                if (!accepted.contains(r.family())) replaced = null;
                else if (!r.nlri().isEmpty() && !rules.accepts(r.nextHops().getFirst())) {
                    replaced = new MpUnreach(r.family(), r.nlri());
                    error = BgpError.INVALID_NEXT_HOP_ATTRIBUTE;
                }
            } else if (a instanceof MpUnreach w && !accepted.contains(w.family())) {
                replaced = null;
            }
            if (replaced != a && kept == null) kept = new ArrayList<>(attrs.subList(0, i));
            if (kept != null && replaced != null) kept.add(replaced);
        }
        if (kept == null && !changed) return new Result(u, null);
        return new Result(new UpdateMessage(withdrawn, kept == null ? attrs : kept, nlri), error);
    }

    private static List<IpPrefix> concat(List<IpPrefix> a, List<IpPrefix> b) {
        List<IpPrefix> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }
}
