package io.podnet.bgp.rib;

import io.podnet.net.IpPrefix;
import java.util.Optional;

/**
 * A change of the Loc-RIB: the new best route for a prefix, or empty when the prefix became unreachable,
 * and the best route it replaced (empty for a new prefix). This is what an agent programs into the kernel;
 * the speaker derives what each peer must be sent from {@code previous} and {@code best} (see
 * {@link AdjRibOut}).
 */
public record BestPathChange(IpPrefix prefix, Optional<Route> best, Optional<Route> previous) {
    public BestPathChange {
        if (prefix == null || best == null || previous == null) throw new IllegalArgumentException("prefix, best and previous are required");
    }

    /** A change with no previous best route. */
    public BestPathChange(IpPrefix prefix, Optional<Route> best) { this(prefix, best, Optional.empty()); }

    public boolean isWithdrawal() { return best.isEmpty(); }
}
