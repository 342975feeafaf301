package io.podnet.bgp.rib;

import io.podnet.net.IpPrefix;
import java.util.function.Function;

/**
 * Adj-RIB-Out of one peer (RFC 4271 §3.2): what it was last sent. Not stored: what a peer is sent is a pure
 * function of the Loc-RIB (export rules, the peer's policy and its export filter, which must be a pure
 * predicate), so the routes are recomputed from the Loc-RIB on demand and a change is exported by comparing
 * the export of the previous and the new best route ({@link BestPathChange#previous()}). Only the number of
 * advertised prefixes is kept. This saves a table slot per prefix per peer.
 */
public final class AdjRibOut {
    private final Function<IpPrefix, Attrs> view;
    private int advertised;

    AdjRibOut(Function<IpPrefix, Attrs> view) {
        this.view = view;
    }

    /** What the peer was sent for {@code p}, or null (also null while the session is down). */
    public Attrs get(IpPrefix p) { return view.apply(p); }

    /** Number of prefixes advertised to the peer. */
    public int size() { return advertised; }

    void count(Attrs before, Attrs after) {
        if (before == null && after != null) advertised++;
        else if (before != null && after == null) advertised--;
    }

    void reset(int n) { advertised = n; }
}
