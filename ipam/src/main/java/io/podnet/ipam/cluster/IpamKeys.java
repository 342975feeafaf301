package io.podnet.ipam.cluster;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.Optional;

/**
 * Calico's key layout for IPAM ({@code libcalico-go/lib/backend/model}) under a configurable prefix (Calico's is
 * {@code /calico}):
 * <pre>
 *   &lt;prefix&gt;/ipam/v2/assignment/ipv4/block/10.0.0.0-26          AllocationBlock
 *   &lt;prefix&gt;/ipam/v2/host/&lt;node&gt;/ipv4/block/10.0.0.0-26        BlockAffinity
 *   &lt;prefix&gt;/ipam/v2/handle/&lt;handleID&gt;                         IpamHandle
 * </pre>
 */
public record IpamKeys(String prefix) {
    public IpamKeys {
        if (prefix.endsWith("/")) prefix = prefix.substring(0, prefix.length() - 1);
    }

    public static final IpamKeys CALICO = new IpamKeys("/calico");

    static String v(IpFamily f) { return f == IpFamily.V4 ? "ipv4" : "ipv6"; }

    static String cidrSegment(IpPrefix p) { return p.address() + "-" + p.length(); }

    public String assignmentRoot() { return prefix + "/ipam/v2/assignment/"; }

    public String blocks(IpFamily f) { return assignmentRoot() + v(f) + "/block/"; }

    public String block(IpPrefix cidr) { return blocks(cidr.family()) + cidrSegment(cidr); }

    public String hostRoot() { return prefix + "/ipam/v2/host/"; }

    public String affinities(String node) { return hostRoot() + node + "/"; }

    public String affinities(String node, IpFamily f) { return affinities(node) + v(f) + "/block/"; }

    public String affinity(String node, IpPrefix cidr) { return affinities(node, cidr.family()) + cidrSegment(cidr); }

    public String handles() { return prefix + "/ipam/v2/handle/"; }

    public String handle(String id) { return handles() + id; }

    /** The block CIDR at the end of a block or affinity key. */
    public static IpPrefix cidrOf(String key) {
        String seg = key.substring(key.lastIndexOf('/') + 1);
        int dash = seg.lastIndexOf('-');
        return IpPrefix.parse(seg.substring(0, dash) + "/" + seg.substring(dash + 1));
    }

    /** The node of an affinity key ({@code .../host/<node>/ipv4/block/...}). */
    public Optional<String> nodeOfAffinity(String key) {
        if (!key.startsWith(hostRoot())) return Optional.empty();
        String rest = key.substring(hostRoot().length());
        int slash = rest.indexOf('/');
        if (slash < 0 || !rest.substring(slash).matches("/ipv[46]/block/.+")) return Optional.empty();
        return Optional.of(rest.substring(0, slash));
    }

    public String handleIdOf(String key) { return key.substring(handles().length()); }
}
