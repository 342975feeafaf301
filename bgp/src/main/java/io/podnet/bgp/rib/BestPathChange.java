package io.podnet.bgp.rib;

import io.podnet.net.IpPrefix;
import java.util.Optional;

/**
 * A change of the Loc-RIB: the new best route for a prefix, or empty when the prefix became unreachable.
 * This is what an agent programs into the kernel.
 */
public record BestPathChange(IpPrefix prefix, Optional<Route> best) {
    public boolean isWithdrawal() { return best.isEmpty(); }
}
