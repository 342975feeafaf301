package io.podnet.rtnetlink;

import io.podnet.net.Cidr;
import java.util.Set;

/** An interface address ({@code ip addr}): the device, the address with its prefix length, and flags. */
public record Address(String dev, Cidr cidr, RouteScope scope, Set<AddressFlag> flags) {

    public Address {
        if (dev == null || dev.isEmpty()) throw new IllegalArgumentException("address needs a device");
        if (cidr == null) throw new IllegalArgumentException("address needs a CIDR");
        if (scope == null) scope = RouteScope.UNIVERSE;
        flags = flags == null ? Set.of() : Set.copyOf(flags);
    }

    public static Address of(String dev, Cidr cidr) {
        return new Address(dev, cidr, RouteScope.UNIVERSE, Set.of());
    }

    public static Address of(String dev, String cidr) {
        return of(dev, Cidr.parse(cidr));
    }

    public Address withFlags(AddressFlag... f) {
        return new Address(dev, cidr, scope, Set.of(f));
    }
}
