package io.podnet.bgp.speaker;

import io.podnet.bgp.fsm.State;
import io.podnet.bgp.message.AfiSafi;
import io.podnet.bgp.message.BgpError;
import io.podnet.bgp.message.ErrorHandling;
import io.podnet.net.IpAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot of one peer: state, counters, the last error, the last malformed UPDATE and how it was treated
 * (RFC 7606), the families disabled on the current session (RFC 4760 §7), and, when a prefix limit or the
 * memory guard stopped the session, when it starts again.
 */
public record PeerStatus(IpAddress address, long asn, boolean enabled, State state, Optional<Instant> establishedSince,
                         Counters counters, Optional<String> lastError, Optional<Malformed> lastMalformed,
                         Set<AfiSafi> disabledFamilies, Optional<Instant> restartAt) {
    public PeerStatus {
        disabledFamilies = Set.copyOf(disabledFamilies);
    }

    /** Message and route counters since the peer was added. */
    public record Counters(long messagesIn, long messagesOut, long updatesIn, long updatesOut, long prefixesReceived,
                           long prefixesAdvertised, long establishedTransitions, long malformedUpdates) {}

    /** A malformed UPDATE that did not end the session: what was wrong and the RFC 7606 treatment applied. */
    public record Malformed(BgpError error, ErrorHandling handling) {}
}
