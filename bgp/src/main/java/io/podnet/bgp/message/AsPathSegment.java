package io.podnet.bgp.message;

import java.util.List;

/** One AS_PATH segment (RFC 4271 §4.3 type code 2; confederation types from RFC 5065 §3). */
public record AsPathSegment(Type type, List<Long> asns) {
    /** Segment types. */
    public enum Type {
        AS_SET(1), AS_SEQUENCE(2), AS_CONFED_SEQUENCE(3), AS_CONFED_SET(4);

        private final int code;

        Type(int code) { this.code = code; }

        public int code() { return code; }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }
    }

    public AsPathSegment {
        if (type == null) throw new IllegalArgumentException("segment type is required");
        asns = List.copyOf(asns);
        if (asns.isEmpty() || asns.size() > 255) throw new IllegalArgumentException("a segment holds 1..255 ASNs");
        for (long a : asns) if (a < 0 || a > 0xffff_ffffL) throw new IllegalArgumentException("AS out of range: " + a);
    }

    public static AsPathSegment sequence(Long... asns) { return new AsPathSegment(Type.AS_SEQUENCE, List.of(asns)); }

    /** Path length contribution for the decision process (RFC 4271 §9.1.2.2 a: an AS_SET counts 1, confed 0). */
    public int pathLength() {
        return switch (type) {
            case AS_SEQUENCE -> asns.size();
            case AS_SET -> 1;
            case AS_CONFED_SEQUENCE, AS_CONFED_SET -> 0;
        };
    }
}
