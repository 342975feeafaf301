package io.podnet.ipam.cluster;

import io.podnet.calico.IpPool;
import io.podnet.calico.ResourceStateException;
import io.podnet.calico.ResourceStore;
import io.podnet.datastore.DatastoreException;
import io.podnet.net.IpFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * calico-node's default pools ({@code node/pkg/lifecycle/startup/startup.go}): {@code CALICO_IPV4POOL_CIDR}
 * (default 192.168.0.0/16), {@code _BLOCK_SIZE} (26), {@code _IPIP} and {@code _VXLAN} (off|never → Never,
 * always → Always, crosssubnet|cross-subnet → CrossSubnet; default Never), {@code _NAT_OUTGOING} (default true for
 * IPv4, false for IPv6), {@code _NODE_SELECTOR} (default all()), and the {@code CALICO_IPV6POOL_*} equivalents (an
 * IPv6 pool only when {@code CALICO_IPV6POOL_CIDR} is set). {@code NO_DEFAULT_POOLS=true} creates none. A pool is
 * created only if no pool of its family exists.
 *
 * @param v4 the IPv4 pool to create, if any
 * @param v6 the IPv6 pool to create, if any
 */
public record PoolBootstrap(Optional<IpPool> v4, Optional<IpPool> v6) {
    public static final String V4_NAME = "default-ipv4-ippool";
    public static final String V6_NAME = "default-ipv6-ippool";

    /**
     * From settings named as calico-node's environment variables (the agent passes its config fields under the same
     * names, over the process environment). Errors name the variable.
     */
    public static PoolBootstrap from(Map<String, String> settings) {
        if (Boolean.parseBoolean(settings.getOrDefault("NO_DEFAULT_POOLS", "false"))) return new PoolBootstrap(Optional.empty(), Optional.empty());
        IpPool v4 = pool(settings, "CALICO_IPV4POOL_", V4_NAME, settings.getOrDefault("CALICO_IPV4POOL_CIDR", "192.168.0.0/16"), true);
        String v6cidr = settings.get("CALICO_IPV6POOL_CIDR");
        Optional<IpPool> v6 = v6cidr == null || v6cidr.isBlank() ? Optional.empty()
                : Optional.of(pool(settings, "CALICO_IPV6POOL_", V6_NAME, v6cidr, false));
        return new PoolBootstrap(Optional.of(v4), v6);
    }

    private static IpPool pool(Map<String, String> s, String p, String name, String cidr, boolean v4) {
        Integer block = null;
        String bs = s.get(p + "BLOCK_SIZE");
        if (bs != null && !bs.isBlank()) {
            try {
                block = Integer.parseInt(bs.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(p + "BLOCK_SIZE: \"" + bs + "\" is not a number");
            }
        }
        IpPool.EncapMode ipip = encap(p + "IPIP", s.get(p + "IPIP"));
        IpPool.EncapMode vxlan = encap(p + "VXLAN", s.get(p + "VXLAN"));
        String nat = s.getOrDefault(p + "NAT_OUTGOING", Boolean.toString(v4)).strip().toLowerCase(Locale.ROOT);
        if (!nat.equals("true") && !nat.equals("false")) throw new IllegalArgumentException(p + "NAT_OUTGOING: \"" + nat + "\" is not true or false");
        String selector = s.getOrDefault(p + "NODE_SELECTOR", "all()");
        IpPool pool = IpPool.of(name, new IpPool.Spec(cidr.strip(), block, ipip, vxlan, nat.equals("true"), false, false, selector, null, null));
        try {
            return pool.validated();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p + "*: " + e.getMessage(), e);
        }
    }

    static IpPool.EncapMode encap(String var, String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "off", "never" -> IpPool.EncapMode.NEVER;
            case "always" -> IpPool.EncapMode.ALWAYS;
            case "crosssubnet", "cross-subnet" -> IpPool.EncapMode.CROSS_SUBNET;
            default -> throw new IllegalArgumentException(var + ": \"" + value + "\" is not one of Never, Always, CrossSubnet");
        };
    }

    /** Creates each pool unless a pool of its family exists; returns the names created. */
    public List<String> ensure(ResourceStore resources) throws DatastoreException {
        List<String> created = new ArrayList<>();
        List<IpPool> existing = resources.list(IpPool.KIND);
        for (Optional<IpPool> want : List.of(v4, v6)) {
            if (want.isEmpty()) continue;
            IpFamily f = want.get().cidr().family();
            if (existing.stream().anyMatch(p -> p.cidr().family() == f)) continue;
            try {
                resources.create(want.get());
                created.add(want.get().name());
            } catch (ResourceStateException e) {
                if (e.reason() != ResourceStateException.Reason.ALREADY_EXISTS) throw e; // another node made it first
            }
        }
        return created;
    }
}
