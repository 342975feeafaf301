package io.podnet.bgp.rib;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The BGP decision process, phase 2 (RFC 4271 §9.1.2): of the feasible routes for one prefix, pick the best
 * by removing candidates step by step, as §9.1.2.2 describes them — deliberately not a Comparator, because
 * the MED step only compares routes from the same neighbouring AS and is not a total order.
 * <p>
 * Steps, in order ({@link Step}):
 * <ol start="0">
 * <li>locally originated routes win (not in the RFC; like BIRD's protocol preference of static over BGP)</li>
 * <li>(§9.1.1 degree of preference) highest LOCAL_PREF (default for eBGP/absent: the configured default)</li>
 * <li>(§9.1.2.2 a) fewest AS numbers in AS_PATH, an AS_SET counting one</li>
 * <li>(b) lowest ORIGIN</li>
 * <li>(c) lowest MED among routes from the same neighbouring AS (absent MED = 0)</li>
 * <li>(d) eBGP-learned over iBGP-learned</li>
 * <li>(e) lowest interior cost to the next hop — skipped: this speaker has no IGP; all costs are equal</li>
 * <li>(f) lowest BGP Identifier, using ORIGINATOR_ID instead when present (RFC 4456 §9)</li>
 * <li>(RFC 4456 §9) shortest CLUSTER_LIST</li>
 * <li>(g) lowest peer address</li>
 * </ol>
 */
public final class DecisionProcess {
    /** The elimination steps, in order. */
    public enum Step { LOCAL_ORIGIN, LOCAL_PREF, AS_PATH_LENGTH, ORIGIN, MED, EBGP_OVER_IBGP, ROUTER_ID, CLUSTER_LIST_LENGTH, PEER_ADDRESS, ONLY_CANDIDATE }

    /** The winner and the step that left it alone. */
    public record Decision(Route best, Step decidedBy) {}

    private final long defaultLocalPref;

    public DecisionProcess(long defaultLocalPref) {
        this.defaultLocalPref = defaultLocalPref;
    }

    /** Picks the best of {@code candidates} (non-empty). */
    public Decision select(List<Route> candidates) {
        if (candidates.isEmpty()) throw new IllegalArgumentException("no candidates");
        if (candidates.size() == 1) return new Decision(candidates.getFirst(), Step.ONLY_CANDIDATE);
        List<Route> s = candidates;
        for (Step step : Step.values()) {
            if (step == Step.ONLY_CANDIDATE) break;
            s = apply(step, s);
            if (s.size() == 1) return new Decision(s.getFirst(), step);
        }
        return new Decision(s.getFirst(), Step.PEER_ADDRESS);
    }

    private List<Route> apply(Step step, List<Route> s) {
        return switch (step) {
            case LOCAL_ORIGIN -> s.stream().anyMatch(r -> r.source().isLocal()) ? s.stream().filter(r -> r.source().isLocal()).toList() : s;
            case LOCAL_PREF -> keepMax(s, this::localPref);
            case AS_PATH_LENGTH -> keepMin(s, r -> r.attrs().asPath().length());
            case ORIGIN -> keepMin(s, r -> r.attrs().origin().ordinal());
            case MED -> lowestMedPerNeighbourAs(s);
            case EBGP_OVER_IBGP -> s.stream().anyMatch(r -> r.source().isEbgp()) ? s.stream().filter(r -> !r.source().isIbgp()).toList() : s;
            case ROUTER_ID -> keepMin(s, r -> Integer.toUnsignedLong(routerId(r)));
            case CLUSTER_LIST_LENGTH -> keepMin(s, r -> r.attrs().clusterList().size());
            case PEER_ADDRESS -> {
                Route best = s.getFirst();
                for (Route r : s) if (r.source().peerAddress().compareTo(best.source().peerAddress()) < 0) best = r;
                yield List.of(best);
            }
            case ONLY_CANDIDATE -> s;
        };
    }

    private long localPref(Route r) {
        // §9.1.1: for iBGP routes the degree of preference is LOCAL_PREF; eBGP routes get the local default.
        long lp = r.attrs().localPref();
        return r.source().isEbgp() || lp < 0 ? defaultLocalPref : lp;
    }

    private static int routerId(Route r) {
        return r.attrs().originatorId() != null ? r.attrs().originatorId().v4Int() : r.source().peerRouterId().v4Int();
    }

    /** §9.1.2.2 c: a route is removed if another route from the same neighbour AS has a lower MED. */
    private static List<Route> lowestMedPerNeighbourAs(List<Route> s) {
        List<Route> out = new ArrayList<>(s.size());
        for (Route r : s) {
            long as = r.attrs().asPath().firstAs();
            long med = Math.max(0, r.attrs().med());
            boolean beaten = false;
            for (Route o : s) {
                if (o != r && o.attrs().asPath().firstAs() == as && Math.max(0, o.attrs().med()) < med) {
                    beaten = true;
                    break;
                }
            }
            if (!beaten) out.add(r);
        }
        return out;
    }

    private static List<Route> keepMin(List<Route> s, ToLongFunction<Route> f) {
        long min = Long.MAX_VALUE;
        for (Route r : s) min = Math.min(min, f.applyAsLong(r));
        final long m = min;
        return s.stream().filter(r -> f.applyAsLong(r) == m).toList();
    }

    private List<Route> keepMax(List<Route> s, ToLongFunction<Route> f) {
        long max = Long.MIN_VALUE;
        for (Route r : s) max = Math.max(max, f.applyAsLong(r));
        final long m = max;
        return s.stream().filter(r -> f.applyAsLong(r) == m).toList();
    }
}
