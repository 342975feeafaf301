package io.podnet.bgp.message;

import io.podnet.net.IpAddress;
import java.util.List;
import java.util.Optional;

/**
 * OPEN (RFC 4271 §4.2). {@code myAs} is the 2-octet field as sent (AS_TRANS 23456 when the real AS needs
 * 4 octets, RFC 6793 §4.1); {@link #asn()} gives the real AS. Capabilities travel in optional parameter type 2
 * (RFC 5492 §4); this codec writes them all into one parameter.
 */
public record OpenMessage(int version, int myAs, int holdTime, IpAddress bgpId, List<Capability> capabilities)
        implements BgpMessage {
    public static final int AS_TRANS = 23456;

    public OpenMessage {
        if (version < 0 || version > 255) throw new IllegalArgumentException("version out of range");
        if (myAs < 0 || myAs > 0xffff) throw new IllegalArgumentException("myAs is a 2-octet field: " + myAs);
        if (holdTime < 0 || holdTime > 0xffff) throw new IllegalArgumentException("hold time out of range");
        if (bgpId == null || !bgpId.isV4()) throw new IllegalArgumentException("BGP identifier must be IPv4-shaped");
        capabilities = List.copyOf(capabilities);
    }

    /** A version 4 OPEN for {@code asn} that always carries the 4-octet AS capability. */
    public static OpenMessage of(long asn, int holdTime, IpAddress bgpId, List<Capability> capabilities) {
        int my = asn > 0xffff ? AS_TRANS : (int) asn;
        boolean has4 = capabilities.stream().anyMatch(c -> c instanceof Capability.FourOctetAs);
        List<Capability> caps = has4 ? capabilities
                : java.util.stream.Stream.concat(capabilities.stream(), java.util.stream.Stream.of(new Capability.FourOctetAs(asn))).toList();
        return new OpenMessage(4, my, holdTime, bgpId, caps);
    }

    /** The speaker's AS: from the 4-octet AS capability when present (RFC 6793 §4.1), else {@code myAs}. */
    public long asn() {
        return capability(Capability.FourOctetAs.class).map(Capability.FourOctetAs::asn).orElse((long) myAs);
    }

    public <T extends Capability> Optional<T> capability(Class<T> kind) {
        return capabilities.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    /** The multiprotocol families advertised; IPv4 unicast alone when none is (RFC 4760 §8 fallback). */
    public List<AfiSafi> families() {
        List<AfiSafi> mp = capabilities.stream().filter(c -> c instanceof Capability.Multiprotocol)
                .map(c -> ((Capability.Multiprotocol) c).family()).toList();
        return mp.isEmpty() ? List.of(AfiSafi.IPV4_UNICAST) : mp;
    }

    @Override
    public int type() { return TYPE_OPEN; }
}
