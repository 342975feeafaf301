package io.podnet.bench.cni;

import java.util.Arrays;

/** Median / p95 / mean of a sample of durations in nanoseconds, printed in milliseconds. */
record Stats(String name, int n, double medianMs, double p95Ms, double meanMs) {

    static Stats of(String name, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e6;
        return new Stats(name, s.length, s[s.length / 2] / 1e6, s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] / 1e6, mean);
    }

    @Override
    public String toString() {
        return String.format("%-48s n=%-4d median %8.3f ms   p95 %8.3f ms   mean %8.3f ms", name, n, medianMs, p95Ms, meanMs);
    }
}
