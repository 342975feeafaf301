package io.podnet.bgp.message;

import io.podnet.net.IpPrefix;
import java.util.List;
import java.util.Optional;

/**
 * UPDATE (RFC 4271 §4.3): IPv4 withdrawn routes, path attributes in wire order, IPv4 NLRI. IPv6 (and
 * multiprotocol IPv4) prefixes travel in {@link PathAttribute.MpReach} / {@link PathAttribute.MpUnreach}.
 */
public record UpdateMessage(List<IpPrefix> withdrawn, List<PathAttribute> attributes, List<IpPrefix> nlri)
        implements BgpMessage {

    public UpdateMessage {
        withdrawn = List.copyOf(withdrawn);
        attributes = List.copyOf(attributes);
        nlri = List.copyOf(nlri);
    }

    /** End-of-RIB marker (RFC 4724 §2): an empty UPDATE for IPv4 unicast, an empty MP_UNREACH otherwise. */
    public static UpdateMessage endOfRib(AfiSafi family) {
        if (family.equals(AfiSafi.IPV4_UNICAST)) return new UpdateMessage(List.of(), List.of(), List.of());
        return new UpdateMessage(List.of(), List.of(new PathAttribute.MpUnreach(family, List.of())), List.of());
    }

    /** The family this message is an End-of-RIB marker for, if it is one. */
    public Optional<AfiSafi> endOfRibFamily() {
        if (!withdrawn.isEmpty() || !nlri.isEmpty()) return Optional.empty();
        if (attributes.isEmpty()) return Optional.of(AfiSafi.IPV4_UNICAST);
        if (attributes.size() == 1 && attributes.getFirst() instanceof PathAttribute.MpUnreach u && u.withdrawn().isEmpty()) {
            return Optional.of(u.family());
        }
        return Optional.empty();
    }

    public <T extends PathAttribute> Optional<T> attribute(Class<T> kind) {
        for (PathAttribute a : attributes) if (kind.isInstance(a)) return Optional.of(kind.cast(a));
        return Optional.empty();
    }

    @Override
    public int type() { return TYPE_UPDATE; }
}
