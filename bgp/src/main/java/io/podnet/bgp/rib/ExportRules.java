package io.podnet.bgp.rib;

import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What a best route looks like when sent to one peer, or {@code null} if it must not be sent
 * (RFC 4271 §9.1.3 and §5.1, RFC 4456 §6–§8). Pure.
 * <ul>
 * <li>never back to the peer it came from;</li>
 * <li>iBGP-learned routes go to iBGP peers only through route reflection: from a client to every peer,
 *     from a non-client to clients only (RFC 4456 §6); reflecting sets ORIGINATOR_ID and prepends the
 *     CLUSTER_ID to CLUSTER_LIST (§8);</li>
 * <li>eBGP: prepend our AS (§5.1.2), next hop = our address (§5.1.3), no LOCAL_PREF (§5.1.5), no received MED
 *     (§5.1.4), no ORIGINATOR_ID/CLUSTER_LIST;</li>
 * <li>iBGP: LOCAL_PREF always present (§5.1.5); next hop unchanged unless next-hop-self or locally originated;</li>
 * <li>unrecognised optional transitive attributes are passed on with the Partial bit (§5), unrecognised
 *     non-transitive ones are dropped;</li>
 * <li>well-known communities (RFC 1997): NO_ADVERTISE goes to no peer, NO_EXPORT and NO_EXPORT_SUBCONFED to
 *     no external peer (podnet is never in a confederation, so its AS is the confederation boundary);</li>
 * <li>non-transitive extended communities are removed before an external peer (RFC 4360 §6);
 *     confederation segments are removed from AS_PATH before one (RFC 5065 §4.1).</li>
 * </ul>
 */
public final class ExportRules {
    private final long localAs;
    private final IpAddress routerId;
    private final IpAddress clusterId;
    private final long defaultLocalPref;

    /** {@code clusterId} null means this speaker is not a route reflector. */
    public ExportRules(long localAs, IpAddress routerId, IpAddress clusterId, long defaultLocalPref) {
        this.localAs = localAs;
        this.routerId = routerId;
        this.clusterId = clusterId;
        this.defaultLocalPref = defaultLocalPref;
    }

    public boolean isReflector() { return clusterId != null; }

    public Attrs compute(Route best, PeerPolicy to) {
        RouteSource from = best.source();
        RouteSource target = to.source();
        if (!from.isLocal() && from.peerAddress().equals(target.peerAddress())) return null;
        boolean reflecting = false;
        if (from.isIbgp() && target.isIbgp()) {
            if (!isReflector()) return null;
            if (!from.rrClient() && !target.rrClient()) return null;
            reflecting = true;
        }
        Attrs a = best.attrs();
        // RFC 4456 §8: do not send a route back to its originator.
        if (reflecting && target.peerRouterId().equals(a.originatorId())) return null;
        boolean ebgp = target.isEbgp();
        if (!wellKnownCommunitiesAllow(a, ebgp)) return null;
        List<PathAttribute> out = new ArrayList<>(a.list().size() + 2);
        boolean hasLocalPref = false;
        for (PathAttribute p : a.list()) {
            switch (p) {
                case LocalPref x -> { if (!ebgp) { out.add(x); hasLocalPref = true; } }
                case MultiExitDisc x -> { if (!ebgp || from.isLocal()) out.add(x); }
                case AsPath x -> out.add(ebgp ? AsPaths.prepend(AsPaths.withoutConfederation(x), localAs) : x);
                case ExtendedCommunities x -> {
                    PathAttribute kept = ebgp ? transitiveOnly(x) : x;
                    if (kept != null) out.add(kept);
                }
                case OriginatorId _, ClusterList _ -> { if (reflecting) out.add(p); }
                case Unknown u -> {
                    if (u.isTransitive()) out.add(from.isLocal() ? u : new Unknown(u.flags() | PathAttribute.FLAG_PARTIAL, u.type(), u.value()));
                }
                default -> out.add(p);
            }
        }
        if (!ebgp && !hasLocalPref) out.add(new LocalPref(defaultLocalPref));
        if (reflecting) addReflectionAttributes(out, a, from);
        IpAddress nh = nextHop(best, to, ebgp);
        return new Attrs(nh, out);
    }

    /** RFC 1997 NO_ADVERTISE, NO_EXPORT, NO_EXPORT_SUBCONFED. */
    private static boolean wellKnownCommunitiesAllow(Attrs a, boolean toExternal) {
        Communities c = a.communities();
        if (c == null) return true;
        for (long v : c.values()) {
            if (v == Communities.NO_ADVERTISE) return false;
            if (toExternal && (v == Communities.NO_EXPORT || v == Communities.NO_EXPORT_SUBCONFED)) return false;
        }
        return true;
    }

    /** RFC 4360 §6: a non-transitive extended community is removed before crossing the AS boundary. */
    private static ExtendedCommunities transitiveOnly(ExtendedCommunities x) {
        List<Long> kept = x.values().stream().filter(ExtendedCommunities::isTransitive).toList();
        if (kept.size() == x.values().size()) return x;
        return kept.isEmpty() ? null : new ExtendedCommunities(kept);
    }

    private void addReflectionAttributes(List<PathAttribute> out, Attrs a, RouteSource from) {
        if (a.originatorId() == null) out.add(new OriginatorId(from.peerRouterId()));
        List<IpAddress> cl = new ArrayList<>(a.clusterList().size() + 1);
        cl.add(clusterId);
        cl.addAll(a.clusterList());
        out.removeIf(p -> p instanceof ClusterList);
        out.add(new ClusterList(cl));
    }

    private static IpAddress nextHop(Route best, PeerPolicy to, boolean ebgp) {
        boolean self = ebgp || to.nextHopSelf() || best.source().isLocal() && best.attrs().nextHop().lo() == 0 && best.attrs().nextHop().hi() == 0;
        if (!self) return best.attrs().nextHop();
        return best.prefix().address().isV4() ? to.localNextHops().v4() : to.localNextHops().v6OrMapped();
    }

    public IpAddress routerId() { return routerId; }
}
