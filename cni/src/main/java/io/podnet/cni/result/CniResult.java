package io.podnet.cni.result;

import java.util.List;
import java.util.Optional;

/**
 * A successful ADD result, independent of version; {@link ResultCodec} writes it in any supported version.
 * An IPAM result has no interfaces and no {@code ips[].interface}.
 */
public record CniResult(List<CniInterface> interfaces, List<IpConfig> ips, List<CniRoute> routes, Optional<Dns> dns) {

    public static final CniResult EMPTY = new CniResult(List.of(), List.of(), List.of(), Optional.empty());

    public CniResult {
        interfaces = List.copyOf(interfaces);
        ips = List.copyOf(ips);
        routes = List.copyOf(routes);
        for (IpConfig ip : ips) {
            if (ip.interfaceIndex().isPresent() && ip.interfaceIndex().get() >= interfaces.size()) {
                throw new IllegalArgumentException("ip " + ip.address() + " names interface " + ip.interfaceIndex().get()
                        + " but the result has " + interfaces.size());
            }
        }
    }

    public CniResult withInterfaces(List<CniInterface> newInterfaces) {
        return new CniResult(newInterfaces, ips, routes, dns);
    }

    public CniResult withIps(List<IpConfig> newIps) {
        return new CniResult(interfaces, newIps, routes, dns);
    }
}
