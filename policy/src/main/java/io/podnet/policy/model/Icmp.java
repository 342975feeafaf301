package io.podnet.policy.model;

import java.util.OptionalInt;

/** An ICMP (or ICMPv6) type and optional code match; a code needs a type (as iptables and nft need). */
public record Icmp(int type, OptionalInt code) {
    public Icmp {
        if (type < 0 || type > 254) throw new IllegalArgumentException("ICMP type must be 0-254: " + type);
        if (code.isPresent() && (code.getAsInt() < 0 || code.getAsInt() > 255)) {
            throw new IllegalArgumentException("ICMP code must be 0-255: " + code.getAsInt());
        }
    }

    public static Icmp type(int type) { return new Icmp(type, OptionalInt.empty()); }

    public static Icmp of(int type, int code) { return new Icmp(type, OptionalInt.of(code)); }
}
