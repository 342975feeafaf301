package io.podnet.cni.config;

/** The {@code bandwidth} capability (CONVENTIONS.md): rates in bits/s, bursts in bits; 0 = unset. */
public record Bandwidth(long ingressRate, long ingressBurst, long egressRate, long egressBurst) {
    public Bandwidth {
        if (ingressRate < 0 || ingressBurst < 0 || egressRate < 0 || egressBurst < 0) {
            throw new IllegalArgumentException("bandwidth values must be unsigned");
        }
    }
}
