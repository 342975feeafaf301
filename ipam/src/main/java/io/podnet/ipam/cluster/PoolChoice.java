package io.podnet.ipam.cluster;

import io.podnet.calico.IpPool;
import io.podnet.ipam.IpamException;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which pools an allocation may use (Calico's {@code determinePools}). Pure. */
final class PoolChoice {
    private PoolChoice() {}

    /**
     * The requested pools (names or CIDRs, CNI {@code ipv4_pools}/{@code ipv6_pools}) if any, each of which must exist,
     * be of the family and be enabled; otherwise every automatic, enabled pool of the family whose
     * {@code nodeSelector} matches the node's labels, in CIDR order.
     */
    static List<IpPool> choose(List<IpPool> all, IpFamily f, List<String> requested, Map<String, String> labels, String node)
            throws IpamException {
        List<IpPool> out = new ArrayList<>();
        if (!requested.isEmpty()) {
            String field = f == IpFamily.V4 ? "ipv4_pools" : "ipv6_pools";
            for (int i = 0; i < requested.size(); i++) {
                String want = requested.get(i);
                int idx = i;
                IpPool p = all.stream().filter(x -> x.name().equals(want) || x.spec().cidr().equals(want)
                        || sameCidr(x, want)).findFirst().orElseThrow(() -> new IpamException(IpamException.Reason.CONFIG,
                        "ipam." + field + "[" + idx + "]: no IPPool named or with CIDR \"" + want + "\""));
                if (p.cidr().family() != f) {
                    throw new IpamException(IpamException.Reason.CONFIG, "ipam." + field + "[" + i + "]: IPPool \"" + p.name()
                            + "\" (" + p.cidr() + ") is not IPv" + (f == IpFamily.V4 ? 4 : 6));
                }
                if (p.disabled()) {
                    throw new IpamException(IpamException.Reason.CONFIG, "ipam." + field + "[" + i + "]: IPPool \"" + p.name() + "\" is disabled");
                }
                out.add(p);
            }
            return out;
        }
        for (IpPool p : all) {
            if (p.cidr().family() == f && p.autoAssignable() && p.selectsNode(labels)) out.add(p);
        }
        out.sort((a, b) -> a.cidr().compareTo(b.cidr()));
        if (out.isEmpty()) {
            throw new IpamException(IpamException.Reason.EXHAUSTED, "no enabled IPv" + (f == IpFamily.V4 ? 4 : 6)
                    + " IP pool selects node " + node + " (pools: " + describe(all) + ")");
        }
        return out;
    }

    private static boolean sameCidr(IpPool p, String text) {
        try {
            return p.cidr().equals(IpPrefix.parse(text));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static Optional<IpPool> poolOf(IpPrefix block, List<IpPool> pools) {
        return pools.stream().filter(p -> p.cidr().contains(block)).findFirst();
    }

    static Optional<IpPool> poolOf(IpAddress ip, List<IpPool> pools) {
        return pools.stream().filter(p -> p.cidr().contains(ip)).findFirst();
    }

    /** "default-ipv4-ippool (192.168.0.0/16), ..." */
    static String describe(List<IpPool> pools) {
        if (pools.isEmpty()) return "none";
        return String.join(", ", pools.stream().map(p -> p.name() + " (" + p.spec().cidr() + ")").toList());
    }
}
