package io.podnet.bgp.rib;

import io.podnet.net.IpPrefix;

/**
 * Adj-RIB-Out of one peer (RFC 4271 §3.2): what was last advertised to it, so only real changes are sent
 * and a withdrawal is sent only for prefixes the peer has.
 */
public final class AdjRibOut {
    private final PrefixMap<Attrs> advertised = new PrefixMap<>();

    /**
     * Records the new state for a prefix ({@code null} = not advertised); returns true if an UPDATE is needed.
     */
    public boolean set(IpPrefix p, Attrs a) {
        if (a == null) return advertised.remove(p) != null;
        Attrs old = advertised.put(p, a);
        return old == null || !old.equals(a);
    }

    public Attrs get(IpPrefix p) { return advertised.get(p); }

    public int size() { return advertised.size(); }

    public void clear() { advertised.clear(); }
}
