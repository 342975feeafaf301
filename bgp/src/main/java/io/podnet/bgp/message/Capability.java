package io.podnet.bgp.message;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A capability advertised in OPEN (RFC 5492 §4). Known ones are typed; others round-trip as {@link Unknown}.
 */
public sealed interface Capability {
    int code();

    int MULTIPROTOCOL = 1;
    int ROUTE_REFRESH = 2;
    int EXTENDED_MESSAGE = 6;
    int GRACEFUL_RESTART = 64;
    int FOUR_OCTET_AS = 65;
    int ENHANCED_ROUTE_REFRESH = 70;

    /** Multiprotocol extensions (RFC 4760 §8): one capability per AFI/SAFI. */
    record Multiprotocol(AfiSafi family) implements Capability {
        public Multiprotocol {
            if (family == null) throw new IllegalArgumentException("family is required");
        }

        @Override
        public int code() { return MULTIPROTOCOL; }
    }

    /** Route refresh (RFC 2918 §2). */
    record RouteRefresh() implements Capability {
        @Override
        public int code() { return ROUTE_REFRESH; }
    }

    /** Enhanced route refresh (RFC 7313 §3): BoRR/EoRR around every route refresh. */
    record EnhancedRouteRefresh() implements Capability {
        @Override
        public int code() { return ENHANCED_ROUTE_REFRESH; }
    }

    /** Extended message support (RFC 8654 §3). */
    record ExtendedMessage() implements Capability {
        @Override
        public int code() { return EXTENDED_MESSAGE; }
    }

    /** Support for 4-octet AS numbers (RFC 6793 §3), carrying the speaker's real AS. */
    record FourOctetAs(long asn) implements Capability {
        public FourOctetAs {
            if (asn < 0 || asn > 0xffff_ffffL) throw new IllegalArgumentException("AS out of range: " + asn);
        }

        @Override
        public int code() { return FOUR_OCTET_AS; }
    }

    /**
     * Graceful restart (RFC 4724 §3): Restart State bit, the RFC 8538 §2 Notification bit, Restart Time in
     * seconds (12 bits), and per family whether forwarding state was preserved.
     */
    record GracefulRestart(boolean restartState, boolean notification, int restartTime, List<GrFamily> families)
            implements Capability {
        public GracefulRestart {
            if (restartTime < 0 || restartTime > 4095) throw new IllegalArgumentException("restart time 0..4095: " + restartTime);
            families = List.copyOf(families);
        }

        @Override
        public int code() { return GRACEFUL_RESTART; }
    }

    /** One AFI/SAFI tuple of the graceful restart capability; {@code forwardingPreserved} is the F bit. */
    record GrFamily(AfiSafi family, boolean forwardingPreserved) {
        public GrFamily {
            if (family == null) throw new IllegalArgumentException("family is required");
        }
    }

    /** Any other capability, kept as its raw value. */
    record Unknown(int code, byte[] value) implements Capability {
        public Unknown {
            if (code < 0 || code > 255) throw new IllegalArgumentException("capability code out of range: " + code);
            value = value.clone();
        }

        @Override
        public byte[] value() { return value.clone(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && u.code == code && Arrays.equals(u.value, value);
        }

        @Override
        public int hashCode() { return code * 31 + Arrays.hashCode(value); }

        @Override
        public String toString() { return "Unknown[code=" + code + ", value=" + HexFormat.of().formatHex(value) + "]"; }
    }
}
