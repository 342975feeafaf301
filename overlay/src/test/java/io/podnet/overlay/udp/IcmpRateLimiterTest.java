package io.podnet.overlay.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IcmpRateLimiterTest {
    private static final long MS = 1_000_000L;

    @Test
    void allowsTheBurstThenOnePerInterval() {
        long t = 5_000 * MS;
        IcmpRateLimiter l = new IcmpRateLimiter(100, 3, t);
        assertThat(l.tryAcquire(t)).isTrue();
        assertThat(l.tryAcquire(t)).isTrue();
        assertThat(l.tryAcquire(t)).isTrue();
        assertThat(l.tryAcquire(t)).isFalse();
        assertThat(l.tryAcquire(t + 9 * MS)).isFalse();
        assertThat(l.tryAcquire(t + 10 * MS)).isTrue();
        assertThat(l.tryAcquire(t + 15 * MS)).isFalse();
        assertThat(l.tryAcquire(t + 20 * MS)).isTrue();
    }

    @Test
    void savesNoMoreThanTheBurstWhileIdle() {
        IcmpRateLimiter l = new IcmpRateLimiter(100, 2, 0);
        long later = 60_000 * MS;
        assertThat(l.tryAcquire(later)).isTrue();
        assertThat(l.tryAcquire(later)).isTrue();
        assertThat(l.tryAcquire(later)).isFalse();
    }

    @Test
    void keepsFractionalCreditAcrossCalls() {
        IcmpRateLimiter l = new IcmpRateLimiter(100, 1, 0);
        assertThat(l.tryAcquire(0)).isTrue();
        assertThat(l.tryAcquire(6 * MS)).isFalse();
        assertThat(l.tryAcquire(12 * MS)).isTrue();   // 10 ms earned one token; 2 ms carried over
        assertThat(l.tryAcquire(20 * MS)).isTrue();   // 8 ms more completes the next
    }

    @Test
    void rejectsNonPositiveSettings() {
        assertThatThrownBy(() -> new IcmpRateLimiter(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IcmpRateLimiter(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
