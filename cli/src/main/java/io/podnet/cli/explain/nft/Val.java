package io.podnet.cli.explain.nft;

import io.podnet.net.IpAddress;
import java.util.List;
import java.util.Set;

/** The value of an nft expression for one packet (the left side of a match, a map key). */
sealed interface Val {
    record Ip(IpAddress address) implements Val {}

    /** A number with its symbolic name when it has one ({@code 6}/{@code tcp}, {@code 8}/{@code echo-request}). */
    record Num(long value, String name) implements Val {
        Num(long value) { this(value, null); }
    }

    record Str(String value) implements Val {}

    /** A flag word such as {@code ct state} or {@code tcp flags}. */
    record Flags(Set<String> set) implements Val {}

    record Concat(List<Val> parts) implements Val {}

    /** An output device found by a {@code fib} lookup, or none ({@code missing}). */
    record Iface(java.util.Optional<String> name) implements Val {}

    /**
     * The expression does not exist for this packet (a {@code tcp dport} on a UDP packet, an {@code iifname}
     * at the output hook): nft stops evaluating the rule, so any match on it is false.
     */
    record Absent() implements Val {}

    /** An expression explain does not evaluate; the rule it is in is reported, not guessed. */
    record Unknown(String what) implements Val {}
}
