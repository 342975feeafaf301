package io.podnet.workload.bridge;

import io.podnet.rtnetlink.Links;

/**
 * How a bridge network is wired: bridge name, MTU (0 = kernel default), whether the bridge holds the gateway
 * address, whether pods get a default route via it, hairpin mode on the host ports, and masquerade.
 */
public record BridgeConfig(String bridge, int mtu, boolean isGateway, boolean isDefaultGateway, boolean hairpin,
                           boolean ipMasq) {
    public BridgeConfig {
        Links.checkName(bridge);
        if (mtu < 0 || (mtu > 0 && mtu < 68) || mtu > 65535) throw new IllegalArgumentException("mtu out of range: " + mtu);
        if (isDefaultGateway) isGateway = true;
    }
}
