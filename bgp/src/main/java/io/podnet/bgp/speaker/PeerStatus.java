package io.podnet.bgp.speaker;

import io.podnet.bgp.fsm.State;
import io.podnet.net.IpAddress;
import java.time.Instant;
import java.util.Optional;

/** A snapshot of one peer: state, counters and the last error. */
public record PeerStatus(IpAddress address, long asn, boolean enabled, State state, Optional<Instant> establishedSince,
                         Counters counters, Optional<String> lastError) {
    /** Message and route counters since the peer was added. */
    public record Counters(long messagesIn, long messagesOut, long updatesIn, long updatesOut, long prefixesReceived,
                           long prefixesAdvertised, long establishedTransitions, long malformedUpdates) {}
}
