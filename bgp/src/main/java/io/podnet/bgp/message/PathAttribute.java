package io.podnet.bgp.message;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A path attribute of an UPDATE (RFC 4271 §4.3, §5). Each known type is a record; any other type code is an
 * {@link Unknown} that keeps its flags and raw bytes so optional transitive attributes are passed on
 * (RFC 4271 §5 and §9.1.4).
 */
public sealed interface PathAttribute {
    /** The attribute type code. */
    int typeCode();

    /** The flags this attribute must carry (Optional, Transitive), RFC 4271 §4.3 and §5. */
    int expectedFlags();

    int FLAG_OPTIONAL = 0x80;
    int FLAG_TRANSITIVE = 0x40;
    int FLAG_PARTIAL = 0x20;
    int FLAG_EXTENDED_LENGTH = 0x10;
    int WELL_KNOWN = FLAG_TRANSITIVE;
    int OPTIONAL_TRANSITIVE = FLAG_OPTIONAL | FLAG_TRANSITIVE;
    int OPTIONAL_NON_TRANSITIVE = FLAG_OPTIONAL;

    int ORIGIN = 1;
    int AS_PATH = 2;
    int NEXT_HOP = 3;
    int MULTI_EXIT_DISC = 4;
    int LOCAL_PREF = 5;
    int ATOMIC_AGGREGATE = 6;
    int AGGREGATOR = 7;
    int COMMUNITIES = 8;
    int ORIGINATOR_ID = 9;
    int CLUSTER_LIST = 10;
    int MP_REACH_NLRI = 14;
    int MP_UNREACH_NLRI = 15;
    int EXTENDED_COMMUNITIES = 16;
    int AS4_PATH = 17;
    int AS4_AGGREGATOR = 18;
    int LARGE_COMMUNITIES = 32;

    /** ORIGIN values (RFC 4271 §4.3 a). Lower is preferred (§9.1.2.2 b). */
    enum OriginType { IGP, EGP, INCOMPLETE }

    /** ORIGIN, well-known mandatory (RFC 4271 §5.1.1). */
    record Origin(OriginType value) implements PathAttribute {
        public static final Origin IGP = new Origin(OriginType.IGP);

        public Origin {
            if (value == null) throw new IllegalArgumentException("origin is required");
        }

        @Override public int typeCode() { return ORIGIN; }
        @Override public int expectedFlags() { return WELL_KNOWN; }
    }

    /** AS_PATH, well-known mandatory (RFC 4271 §5.1.2); ASNs are 4-octet values whatever the session. */
    record AsPath(List<AsPathSegment> segments) implements PathAttribute {
        public static final AsPath EMPTY = new AsPath(List.of());

        public AsPath { segments = List.copyOf(segments); }

        /** RFC 4271 §9.1.2.2 a path length. */
        public int length() {
            int n = 0;
            for (AsPathSegment s : segments) n += s.pathLength();
            return n;
        }

        public boolean contains(long asn) {
            for (AsPathSegment s : segments) if (s.asns().contains(asn)) return true;
            return false;
        }

        /** The first AS of the path, or 0 when it does not start with an AS_SEQUENCE (the neighbour AS, §9.1.2.2 c). */
        public long firstAs() {
            if (segments.isEmpty() || segments.getFirst().type() != AsPathSegment.Type.AS_SEQUENCE) return 0;
            return segments.getFirst().asns().getFirst();
        }

        @Override public int typeCode() { return AS_PATH; }
        @Override public int expectedFlags() { return WELL_KNOWN; }
    }

    /** NEXT_HOP, well-known mandatory for IPv4 NLRI (RFC 4271 §5.1.3). */
    record NextHop(IpAddress address) implements PathAttribute {
        public NextHop {
            if (address == null || !address.isV4()) throw new IllegalArgumentException("NEXT_HOP is an IPv4 address");
        }

        @Override public int typeCode() { return NEXT_HOP; }
        @Override public int expectedFlags() { return WELL_KNOWN; }
    }

    /** MULTI_EXIT_DISC, optional non-transitive (RFC 4271 §5.1.4). */
    record MultiExitDisc(long value) implements PathAttribute {
        public MultiExitDisc { checkU32(value); }

        @Override public int typeCode() { return MULTI_EXIT_DISC; }
        @Override public int expectedFlags() { return OPTIONAL_NON_TRANSITIVE; }
    }

    /** LOCAL_PREF, well-known, iBGP only (RFC 4271 §5.1.5). */
    record LocalPref(long value) implements PathAttribute {
        public LocalPref { checkU32(value); }

        @Override public int typeCode() { return LOCAL_PREF; }
        @Override public int expectedFlags() { return WELL_KNOWN; }
    }

    /** ATOMIC_AGGREGATE, well-known discretionary (RFC 4271 §5.1.6). */
    record AtomicAggregate() implements PathAttribute {
        @Override public int typeCode() { return ATOMIC_AGGREGATE; }
        @Override public int expectedFlags() { return WELL_KNOWN; }
    }

    /** AGGREGATOR, optional transitive (RFC 4271 §5.1.7); 2 or 4 octet AS on the wire (RFC 6793 §3). */
    record Aggregator(long asn, IpAddress address) implements PathAttribute {
        public Aggregator {
            checkU32(asn);
            if (address == null || !address.isV4()) throw new IllegalArgumentException("aggregator address is IPv4");
        }

        @Override public int typeCode() { return AGGREGATOR; }
        @Override public int expectedFlags() { return OPTIONAL_TRANSITIVE; }
    }

    /** COMMUNITIES, optional transitive (RFC 1997); each value is {@code asn << 16 | local}. */
    record Communities(List<Long> values) implements PathAttribute {
        /** RFC 1997: not advertised outside the confederation (for podnet, never in one: to no external peer). */
        public static final long NO_EXPORT = 0xFFFF_FF01L;
        /** RFC 1997: not advertised to any other BGP peer. */
        public static final long NO_ADVERTISE = 0xFFFF_FF02L;
        /** RFC 1997: not advertised to external peers, confederation members in other member ASes included. */
        public static final long NO_EXPORT_SUBCONFED = 0xFFFF_FF03L;

        public Communities {
            values = List.copyOf(values);
            if (values.isEmpty()) throw new IllegalArgumentException("COMMUNITIES needs at least one value");
            for (long v : values) checkU32(v);
        }

        public static long of(int asn, int local) { return ((long) (asn & 0xffff) << 16) | (local & 0xffff); }

        @Override public int typeCode() { return COMMUNITIES; }
        @Override public int expectedFlags() { return OPTIONAL_TRANSITIVE; }
    }

    /**
     * EXTENDED COMMUNITIES, optional transitive (RFC 4360 §2): 8-octet values, each kept as one {@code long}
     * (type octet in the top byte). Unknown types and sub-types are not errors (RFC 7606 §7.14).
     */
    record ExtendedCommunities(List<Long> values) implements PathAttribute {
        public ExtendedCommunities {
            values = List.copyOf(values);
            if (values.isEmpty()) throw new IllegalArgumentException("EXTENDED COMMUNITIES needs at least one value");
        }

        /** RFC 4360 §2: the T bit (0x40 of the type octet) set means non-transitive across AS boundaries. */
        public static boolean isTransitive(long value) { return (value >>> 56 & 0x40) == 0; }

        @Override public int typeCode() { return EXTENDED_COMMUNITIES; }
        @Override public int expectedFlags() { return OPTIONAL_TRANSITIVE; }
    }

    /** One BGP Large Community (RFC 8092 §3): Global Administrator, Local Data Part 1 and 2, 4 octets each. */
    record LargeCommunity(long globalAdmin, long local1, long local2) {
        public LargeCommunity {
            checkU32(globalAdmin);
            checkU32(local1);
            checkU32(local2);
        }
    }

    /** LARGE_COMMUNITY, optional transitive (RFC 8092 §2); duplicates are removed on receipt (RFC 8092 §5). */
    record LargeCommunities(List<LargeCommunity> values) implements PathAttribute {
        public LargeCommunities {
            values = List.copyOf(values);
            if (values.isEmpty()) throw new IllegalArgumentException("LARGE_COMMUNITY needs at least one value");
        }

        @Override public int typeCode() { return LARGE_COMMUNITIES; }
        @Override public int expectedFlags() { return OPTIONAL_TRANSITIVE; }
    }

    /** ORIGINATOR_ID, optional non-transitive (RFC 4456 §8). */
    record OriginatorId(IpAddress id) implements PathAttribute {
        public OriginatorId {
            if (id == null || !id.isV4()) throw new IllegalArgumentException("ORIGINATOR_ID is a 4-octet id");
        }

        @Override public int typeCode() { return ORIGINATOR_ID; }
        @Override public int expectedFlags() { return OPTIONAL_NON_TRANSITIVE; }
    }

    /** CLUSTER_LIST, optional non-transitive (RFC 4456 §8). */
    record ClusterList(List<IpAddress> ids) implements PathAttribute {
        public ClusterList {
            ids = List.copyOf(ids);
            if (ids.isEmpty()) throw new IllegalArgumentException("CLUSTER_LIST needs at least one id");
        }

        @Override public int typeCode() { return CLUSTER_LIST; }
        @Override public int expectedFlags() { return OPTIONAL_NON_TRANSITIVE; }
    }

    /**
     * MP_REACH_NLRI, optional non-transitive (RFC 4760 §3) for IPv4/IPv6 unicast. IPv6 may carry a global and
     * a link-local next hop (RFC 2545 §3). Other families decode as {@link Unknown}.
     */
    record MpReach(AfiSafi family, List<IpAddress> nextHops, List<IpPrefix> nlri) implements PathAttribute {
        public MpReach {
            if (family == null || !family.isSupported()) throw new IllegalArgumentException("unsupported family " + family);
            nextHops = List.copyOf(nextHops);
            nlri = List.copyOf(nlri);
            if (nextHops.isEmpty() || nextHops.size() > 2) throw new IllegalArgumentException("1 or 2 next hops");
        }

        @Override public int typeCode() { return MP_REACH_NLRI; }
        @Override public int expectedFlags() { return OPTIONAL_NON_TRANSITIVE; }
    }

    /** MP_UNREACH_NLRI, optional non-transitive (RFC 4760 §4); empty withdrawn = End-of-RIB (RFC 4724 §2). */
    record MpUnreach(AfiSafi family, List<IpPrefix> withdrawn) implements PathAttribute {
        public MpUnreach {
            if (family == null || !family.isSupported()) throw new IllegalArgumentException("unsupported family " + family);
            withdrawn = List.copyOf(withdrawn);
        }

        @Override public int typeCode() { return MP_UNREACH_NLRI; }
        @Override public int expectedFlags() { return OPTIONAL_NON_TRANSITIVE; }
    }

    /** AS4_PATH, optional transitive, sent to 2-octet speakers only (RFC 6793 §3). */
    record As4Path(List<AsPathSegment> segments) implements PathAttribute {
        public As4Path { segments = List.copyOf(segments); }

        @Override public int typeCode() { return AS4_PATH; }
        @Override public int expectedFlags() { return OPTIONAL_TRANSITIVE; }
    }

    /** AS4_AGGREGATOR, optional transitive (RFC 6793 §3). */
    record As4Aggregator(long asn, IpAddress address) implements PathAttribute {
        public As4Aggregator {
            checkU32(asn);
            if (address == null || !address.isV4()) throw new IllegalArgumentException("aggregator address is IPv4");
        }

        @Override public int typeCode() { return AS4_AGGREGATOR; }
        @Override public int expectedFlags() { return OPTIONAL_TRANSITIVE; }
    }

    /** Any other attribute: flags (without the Extended Length bit), type and value kept verbatim. */
    record Unknown(int flags, int type, byte[] value) implements PathAttribute {
        public Unknown {
            if (flags < 0 || flags > 255 || type < 0 || type > 255) throw new IllegalArgumentException("flags/type out of range");
            flags = flags & ~FLAG_EXTENDED_LENGTH;
            value = value.clone();
        }

        public boolean isOptional() { return (flags & FLAG_OPTIONAL) != 0; }

        public boolean isTransitive() { return (flags & FLAG_TRANSITIVE) != 0; }

        @Override public byte[] value() { return value.clone(); }
        @Override public int typeCode() { return type; }
        @Override public int expectedFlags() { return flags & (FLAG_OPTIONAL | FLAG_TRANSITIVE); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && u.flags == flags && u.type == type && Arrays.equals(u.value, value);
        }

        @Override
        public int hashCode() { return (flags * 31 + type) * 31 + Arrays.hashCode(value); }

        @Override
        public String toString() {
            return "Unknown[flags=0x" + Integer.toHexString(flags) + ", type=" + type + ", value=" + HexFormat.of().formatHex(value) + "]";
        }
    }

    private static void checkU32(long v) {
        if (v < 0 || v > 0xffff_ffffL) throw new IllegalArgumentException("value out of 32-bit range: " + v);
    }
}
