package io.podnet.overlay.udp;

/**
 * Token bucket for the ICMP errors the tunnel originates (RFC 1812 §4.3.2.8: a router must be able to limit
 * the rate at which it generates ICMP error messages). {@code ratePerSecond} tokens per second, up to
 * {@code burst} saved. Pure and allocation-free: the caller passes the time ({@link System#nanoTime()} on the
 * data path, explicit values in tests). Single-threaded (the TUN→UDP thread owns it).
 */
final class IcmpRateLimiter {
    private final long nanosPerToken;
    private final long burst;
    private long tokens;
    private long last;

    IcmpRateLimiter(int ratePerSecond, int burst, long nowNanos) {
        if (ratePerSecond < 1 || burst < 1) throw new IllegalArgumentException("rate and burst must be positive");
        this.nanosPerToken = 1_000_000_000L / ratePerSecond;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes a token if one is available at {@code nowNanos}. */
    boolean tryAcquire(long nowNanos) {
        long earned = (nowNanos - last) / nanosPerToken;
        if (earned > 0) {
            tokens = Math.min(burst, tokens + earned);
            last += earned * nanosPerToken;
        }
        if (tokens == 0) return false;
        tokens--;
        return true;
    }
}
