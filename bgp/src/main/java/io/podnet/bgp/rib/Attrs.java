package io.podnet.bgp.rib;

import io.podnet.bgp.message.AsPathSegment;
import io.podnet.bgp.message.PathAttribute;
import io.podnet.bgp.message.PathAttribute.*;
import io.podnet.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The path attributes of a route, without the per-message ones (NEXT_HOP, MP_REACH_NLRI, MP_UNREACH_NLRI):
 * the next hop is a field instead, so one immutable, interned {@code Attrs} is shared by every prefix that
 * has the same path. The values the decision process reads are cached.
 */
public final class Attrs {
    private final IpAddress nextHop;
    private final List<PathAttribute> list;
    private final int hash;
    private final PathAttribute.AsPath asPath;
    private final OriginType origin;
    private final long med;
    private final long localPref;
    private final IpAddress originatorId;
    private final List<IpAddress> clusterList;
    private final Communities communities;

    public Attrs(IpAddress nextHop, List<PathAttribute> attributes) {
        this.nextHop = Objects.requireNonNull(nextHop, "next hop");
        List<PathAttribute> l = new ArrayList<>(attributes.size());
        AsPath path = AsPath.EMPTY;
        OriginType o = OriginType.INCOMPLETE;
        long m = -1, lp = -1;
        IpAddress orig = null;
        List<IpAddress> cl = List.of();
        Communities comm = null;
        for (PathAttribute a : attributes) {
            switch (a) {
                case NextHop _, MpReach _, MpUnreach _ -> { continue; }
                // MP attributes of a family this speaker does not route (RFC 4760 §7): never stored or passed on
                case Unknown u when u.type() == PathAttribute.MP_REACH_NLRI || u.type() == PathAttribute.MP_UNREACH_NLRI -> { continue; }
                case AsPath x -> path = x;
                case Origin x -> o = x.value();
                case MultiExitDisc x -> m = x.value();
                case LocalPref x -> lp = x.value();
                case OriginatorId x -> orig = x.id();
                case ClusterList x -> cl = x.ids();
                case Communities x -> comm = x;
                default -> { }
            }
            l.add(a);
        }
        this.list = List.copyOf(l);
        this.asPath = path;
        this.origin = o;
        this.med = m;
        this.localPref = lp;
        this.originatorId = orig;
        this.clusterList = cl;
        this.communities = comm;
        this.hash = nextHop.hashCode() * 31 + list.hashCode();
    }

    public IpAddress nextHop() { return nextHop; }

    /** Attributes in wire order, without NEXT_HOP / MP_REACH_NLRI / MP_UNREACH_NLRI. */
    public List<PathAttribute> list() { return list; }

    public AsPath asPath() { return asPath; }

    public OriginType origin() { return origin; }

    /** MULTI_EXIT_DISC, or -1 when absent. */
    public long med() { return med; }

    /** LOCAL_PREF, or -1 when absent. */
    public long localPref() { return localPref; }

    /** ORIGINATOR_ID or null. */
    public IpAddress originatorId() { return originatorId; }

    public List<IpAddress> clusterList() { return clusterList; }

    /** COMMUNITIES or null. */
    public Communities communities() { return communities; }

    public <T extends PathAttribute> java.util.Optional<T> get(Class<T> kind) {
        for (PathAttribute a : list) if (kind.isInstance(a)) return java.util.Optional.of(kind.cast(a));
        return java.util.Optional.empty();
    }

    /** A copy with a different next hop. */
    public Attrs withNextHop(IpAddress nh) { return nh.equals(nextHop) ? this : new Attrs(nh, list); }

    /** The AS numbers of the path, flattened (sets included), for filters and loop checks. */
    public List<Long> asNumbers() {
        List<Long> out = new ArrayList<>();
        for (AsPathSegment s : asPath.segments()) out.addAll(s.asns());
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Attrs a && a.hash == hash && a.nextHop.equals(nextHop) && a.list.equals(list));
    }

    @Override
    public int hashCode() { return hash; }

    @Override
    public String toString() { return "Attrs[nh=" + nextHop + ", " + list + "]"; }
}
