package io.podnet.policy.compile;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.policy.model.Direction;
import io.podnet.policy.nft.Chain;
import io.podnet.policy.nft.Family;
import io.podnet.policy.nft.NftMap;
import io.podnet.policy.nft.NftRule;
import io.podnet.policy.nft.NftSet;
import io.podnet.policy.nft.Table;
import io.podnet.policy.nft.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SequencedSet;
import java.util.TreeMap;

/**
 * The fixed skeleton around the per-endpoint and per-policy chains: base chains on the hooks, the verdict maps
 * that dispatch to endpoint chains, and the anti-spoofing that makes address-based identity trustworthy.
 * <pre>
 *  table inet &lt;name&gt;
 *    forward-egress  (hook forward, prio filter)     est/related accept; ND accept; iifname vmap @from-iface; ip saddr vmap @from-addr4 ...
 *    forward-ingress (hook forward, prio filter + 1) est/related accept; ND accept; oifname vmap @to-iface;   ip daddr vmap @to-addr4 ...
 *    input-egress    (hook input,   prio filter)     est/related accept; ND accept; iifname vmap @from-iface; ip saddr vmap @from-addr4 ...
 *    prerouting-antispoof (hook prerouting, prio raw; routed only)  iifname @routed-ifaces fib saddr . iif oif missing drop
 *  table bridge &lt;name&gt; (bridged only)
 *    prerouting-antispoof (hook prerouting, prio filter)  a port's IPv4/IPv6/ARP source must be one of the port's addresses
 * </pre>
 * Egress and ingress are separate base chains on the forward hook because {@code accept} ends only the base
 * chain it is in: a packet between two local pods must be accepted by the sender's egress chain and then, in the
 * second base chain, by the receiver's ingress chain. Traffic from the node to its own pods is not filtered
 * (Kubernetes: "traffic from the pod's node is allowed"); it never passes the forward hook.
 */
final class Layout {
    static final String FORWARD_EGRESS = "forward-egress";
    static final String FORWARD_INGRESS = "forward-ingress";
    static final String INPUT_EGRESS = "input-egress";
    static final String ANTISPOOF = "prerouting-antispoof";
    static final String FROM_IFACE = "from-iface";
    static final String TO_IFACE = "to-iface";
    static final String ROUTED_IFACES = "routed-ifaces";

    private final CompileOptions options;
    private final boolean routed;
    private final boolean bridged;
    private final Map<String, SequencedMap<String, Verdict>> maps = new TreeMap<>();

    Layout(CompileOptions options, NodeView node) {
        this.options = options;
        this.routed = node.kinds().contains(Attachment.ROUTED);
        this.bridged = node.kinds().contains(Attachment.BRIDGED);
        if (routed) {
            maps.put(FROM_IFACE, new LinkedHashMap<>());
            maps.put(TO_IFACE, new LinkedHashMap<>());
        }
        if (bridged) {
            for (IpFamily f : options.orderedFamilies()) {
                maps.put(addrMap(Direction.EGRESS, f), new LinkedHashMap<>());
                maps.put(addrMap(Direction.INGRESS, f), new LinkedHashMap<>());
            }
        }
    }

    static String addrMap(Direction d, IpFamily f) {
        return (d == Direction.EGRESS ? "from-addr" : "to-addr") + (f == IpFamily.V4 ? "4" : "6");
    }

    /** Sends the endpoint's traffic of direction {@code d} to {@code chain}. */
    void dispatch(LocalEndpoint ep, Direction d, String chain) {
        Verdict jump = new Verdict.Jump(chain);
        if (ep.attachment() == Attachment.ROUTED) {
            maps.get(d == Direction.EGRESS ? FROM_IFACE : TO_IFACE).put("\"" + ep.iface() + "\"", jump);
            return;
        }
        for (IpAddress a : ep.endpoint().addresses()) {
            var m = maps.get(addrMap(d, a.family()));
            if (m != null) m.put(a.toString(), jump);
        }
    }

    /** The inet table: skeleton plus the given sets and regular chains. */
    Table inet(List<NftSet> sets, List<Chain> chains, List<LocalEndpoint> local) {
        Table.Builder t = Table.builder(Family.INET, options.tableName()).comment("podnet network policy (generated; do not edit)");
        sets.forEach(t::set);
        chains.forEach(t::chain);
        maps.forEach((name, elements) -> t.map(new NftMap(name, name.endsWith("iface") ? "ifname" : name.endsWith("4") ? "ipv4_addr" : "ipv6_addr",
                comment(name), sortedByKey(name, elements))));
        t.chain(new Chain(FORWARD_EGRESS, java.util.Optional.of(Chain.Hook.filter("forward", "filter")), "egress of local pods, forwarded", dispatchRules(Direction.EGRESS)));
        t.chain(new Chain(FORWARD_INGRESS, java.util.Optional.of(Chain.Hook.filter("forward", "filter + 1")), "ingress of local pods, forwarded", dispatchRules(Direction.INGRESS)));
        t.chain(new Chain(INPUT_EGRESS, java.util.Optional.of(Chain.Hook.filter("input", "filter")), "egress of local pods to this node", dispatchRules(Direction.EGRESS)));
        if (routed) {
            SequencedSet<String> ifaces = new LinkedHashSet<>();
            for (LocalEndpoint ep : local) if (ep.attachment() == Attachment.ROUTED) ifaces.add("\"" + ep.iface() + "\"");
            t.set(new NftSet(ROUTED_IFACES, "ifname", false, "host veths of routed pods", ifaces));
            t.chain(new Chain(ANTISPOOF, java.util.Optional.of(Chain.Hook.filter("prerouting", "raw")), "a routed pod's source address must route back to its veth",
                    List.of(new NftRule(List.of("iifname @" + ROUTED_IFACES, "fib saddr . iif oif missing"), Verdict.DROP, "spoofed source"))));
        }
        return t.build();
    }

    private List<NftRule> dispatchRules(Direction d) {
        List<NftRule> rules = new ArrayList<>();
        rules.add(new NftRule(List.of("ct state established,related"), Verdict.ACCEPT, "replies of allowed connections"));
        if (options.families().contains(IpFamily.V6)) {
            rules.add(new NftRule(List.of("icmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, nd-router-solicit, "
                    + "nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report }"), Verdict.ACCEPT, "neighbour discovery and MLD"));
        }
        if (routed) {
            rules.add(NftRule.of(Verdict.CONTINUE, (d == Direction.EGRESS ? "iifname vmap @" + FROM_IFACE : "oifname vmap @" + TO_IFACE)));
        }
        if (bridged) {
            String field = d == Direction.EGRESS ? "saddr" : "daddr";
            for (IpFamily f : options.orderedFamilies()) {
                rules.add(NftRule.of(Verdict.CONTINUE, (f == IpFamily.V4 ? "ip " : "ip6 ") + field + " vmap @" + addrMap(d, f)));
            }
        }
        return rules;
    }

    /** The bridge table of bridged pods' ports: drop frames whose source address is not the port's. */
    Table bridge(List<LocalEndpoint> local) {
        SequencedSet<String> ports = new LinkedHashSet<>();
        SequencedSet<String> v4 = new LinkedHashSet<>();
        SequencedSet<String> v6 = new LinkedHashSet<>();
        for (LocalEndpoint ep : local) {
            if (ep.attachment() != Attachment.BRIDGED) continue;
            String port = "\"" + ep.iface() + "\"";
            ports.add(port);
            for (IpAddress a : ep.endpoint().addresses().stream().sorted().toList()) (a.isV4() ? v4 : v6).add(port + " . " + a);
        }
        boolean six = options.families().contains(IpFamily.V6);
        Table.Builder t = Table.builder(Family.BRIDGE, options.tableName()).comment("podnet network policy: bridge-port anti-spoofing (generated)");
        t.set(new NftSet("ports", "ifname", false, "bridge ports of pods", ports));
        t.set(new NftSet("port-addr4", "ifname . ipv4_addr", false, "addresses each port may send from", v4));
        if (six) t.set(new NftSet("port-addr6", "ifname . ipv6_addr", false, "addresses each port may send from", v6));
        List<NftRule> rules = new ArrayList<>();
        rules.add(new NftRule(List.of("iifname != @ports"), Verdict.ACCEPT, "not a pod port"));
        rules.add(new NftRule(List.of("ether type ip", "iifname . ip saddr != @port-addr4"), Verdict.DROP, "spoofed IPv4 source"));
        rules.add(new NftRule(List.of("ether type arp", "arp saddr ip != 0.0.0.0", "iifname . arp saddr ip != @port-addr4"), Verdict.DROP, "spoofed ARP sender"));
        if (six) {
            rules.add(new NftRule(List.of("ether type ip6", "ip6 saddr != { ::, fe80::/10 }", "iifname . ip6 saddr != @port-addr6"), Verdict.DROP, "spoofed IPv6 source"));
        }
        t.chain(new Chain(ANTISPOOF, java.util.Optional.of(Chain.Hook.filter("prerouting", "filter")), "a pod port's source address must be the pod's", rules));
        return t.build();
    }

    private static String comment(String map) {
        return switch (map) {
            case FROM_IFACE -> "routed pods: host veth -> egress chain";
            case TO_IFACE -> "routed pods: host veth -> ingress chain";
            default -> map.startsWith("from") ? "bridged pods: address -> egress chain" : "bridged pods: address -> ingress chain";
        };
    }

    /** Interface keys sort by name, address keys numerically: stable output whatever the input order. */
    private static SequencedMap<String, Verdict> sortedByKey(String map, SequencedMap<String, Verdict> elements) {
        List<String> keys = new ArrayList<>(elements.keySet());
        if (map.endsWith("iface")) keys.sort(null);
        else keys.sort(java.util.Comparator.comparing(IpAddress::parse));
        SequencedMap<String, Verdict> out = new LinkedHashMap<>();
        for (String k : keys) out.put(k, elements.get(k));
        return out;
    }
}
