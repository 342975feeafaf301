package io.podnet.cni.result;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import java.util.Optional;

/**
 * One result address: {@code address} in CIDR form with host bits, optional {@code gateway}, and the optional
 * index into the result's {@code interfaces} (absent in IPAM results).
 */
public record IpConfig(Cidr address, Optional<IpAddress> gateway, Optional<Integer> interfaceIndex) {
    public IpConfig {
        if (address == null) throw new IllegalArgumentException("address is required");
        if (gateway.isPresent() && gateway.get().family() != address.family()) {
            throw new IllegalArgumentException("gateway " + gateway.get() + " is not in the family of " + address);
        }
        if (interfaceIndex.isPresent() && interfaceIndex.get() < 0) throw new IllegalArgumentException("interface index must be unsigned");
    }

    /** An IPAM-style entry with no interface index. */
    public static IpConfig of(Cidr address, Optional<IpAddress> gateway) {
        return new IpConfig(address, gateway, Optional.empty());
    }

    /** The 0.3.x/0.4.0 {@code version} field: "4" or "6". */
    public String legacyVersion() {
        return address.address().isV4() ? "4" : "6";
    }
}
