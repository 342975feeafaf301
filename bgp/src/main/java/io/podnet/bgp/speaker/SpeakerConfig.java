package io.podnet.bgp.speaker;

import io.podnet.net.IpAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Speaker-wide settings.
 *
 * @param asn               our AS (4-octet capable)
 * @param routerId          BGP Identifier
 * @param clusterId         set to act as a route reflector (RFC 4456); usually the router id
 * @param listen            where to accept connections (port 179), or empty for outgoing only
 * @param holdTime          proposed hold time in seconds (RFC 4271 §4.2), 0 or ≥ 3
 * @param connectRetry      ConnectRetryTimer (RFC 4271 §10)
 * @param gracefulRestart   our restart time to advertise (RFC 4724 §3); empty = do not advertise GR
 * @param defaultLocalPref  LOCAL_PREF for routes without one (RFC 4271 §5.1.5)
 */
public record SpeakerConfig(long asn, IpAddress routerId, Optional<IpAddress> clusterId, Optional<InetSocketAddress> listen,
                            int holdTime, Duration connectRetry, Optional<Duration> gracefulRestart, long defaultLocalPref) {
    public SpeakerConfig {
        if (asn <= 0 || asn > 0xffff_ffffL) throw new IllegalArgumentException("AS out of range: " + asn);
        if (routerId == null || !routerId.isV4() || routerId.v4Int() == 0) throw new IllegalArgumentException("router id must be a non-zero IPv4 address");
        if (holdTime != 0 && (holdTime < 3 || holdTime > 65535)) throw new IllegalArgumentException("hold time 0 or 3..65535");
        gracefulRestart.ifPresent(d -> {
            if (d.toSeconds() < 1 || d.toSeconds() > 4095) throw new IllegalArgumentException("restart time 1..4095 s");
        });
    }

    public static SpeakerConfig of(long asn, IpAddress routerId) {
        return new SpeakerConfig(asn, routerId, Optional.empty(), Optional.empty(), 90, Duration.ofSeconds(5),
                Optional.of(Duration.ofSeconds(120)), 100);
    }

    public SpeakerConfig withListen(InetSocketAddress a) { return new SpeakerConfig(asn, routerId, clusterId, Optional.ofNullable(a), holdTime, connectRetry, gracefulRestart, defaultLocalPref); }

    public SpeakerConfig withClusterId(IpAddress c) { return new SpeakerConfig(asn, routerId, Optional.ofNullable(c), listen, holdTime, connectRetry, gracefulRestart, defaultLocalPref); }

    public SpeakerConfig withHoldTime(int h) { return new SpeakerConfig(asn, routerId, clusterId, listen, h, connectRetry, gracefulRestart, defaultLocalPref); }

    public SpeakerConfig withConnectRetry(Duration d) { return new SpeakerConfig(asn, routerId, clusterId, listen, holdTime, d, gracefulRestart, defaultLocalPref); }

    public SpeakerConfig withGracefulRestart(Duration d) { return new SpeakerConfig(asn, routerId, clusterId, listen, holdTime, connectRetry, Optional.ofNullable(d), defaultLocalPref); }
}
