package io.podnet.bgp.fsm;

import io.podnet.bgp.message.Capability;
import io.podnet.net.IpAddress;
import java.time.Duration;
import java.util.List;

/**
 * Per-session FSM settings. {@code peerAs} 0 accepts any AS (dynamic peers). Timer defaults follow
 * RFC 4271 §10 except ConnectRetryTime, which is 5 s instead of 120 s, as BIRD and FRR use short values.
 */
public record FsmConfig(long localAs, IpAddress routerId, long peerAs, Timers timers, List<Capability> capabilities) {
    /** Hold time in seconds (0 disables keepalives, else at least 3) and the retry intervals. */
    public record Timers(int holdTime, Duration connectRetry, Duration idleHold) {
        public static final Timers DEFAULT = new Timers(90, Duration.ofSeconds(5), Duration.ofSeconds(1));

        public Timers {
            if (holdTime != 0 && (holdTime < 3 || holdTime > 65535)) throw new IllegalArgumentException("hold time 0 or 3..65535");
        }
    }

    public FsmConfig {
        if (routerId == null || !routerId.isV4()) throw new IllegalArgumentException("router id must be IPv4-shaped");
        capabilities = List.copyOf(capabilities);
    }
}
