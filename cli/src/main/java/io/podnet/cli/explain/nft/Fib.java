package io.podnet.cli.explain.nft;

import io.podnet.net.IpAddress;
import java.util.Optional;

/**
 * The route lookup behind nft's {@code fib} expression ({@code fib saddr . iif oif missing drop} is the
 * anti-spoofing rule of routed pods): which device the namespace routes an address out of.
 */
@FunctionalInterface
public interface Fib {
    /** A lookup's answer: {@code known} false when explain has no routes to look in; {@code dev} empty: no unicast route. */
    record Result(boolean known, Optional<String> dev) {
        public static Result none() { return new Result(true, Optional.empty()); }

        public static Result via(String dev) { return new Result(true, Optional.of(dev)); }
    }

    /** No routing information: every {@code fib} lookup stays unevaluated. */
    Fib UNKNOWN = (dst, src, mark) -> new Result(false, Optional.empty());

    /** The output device of the unicast route the kernel would pick for {@code dst} (source {@code src}, mark {@code mark}). */
    Result oif(IpAddress dst, IpAddress src, long mark);
}
