package io.podnet.cli.explain;

import io.podnet.cli.explain.nft.NftRuleset;
import io.podnet.net.IpAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One network namespace's kernel state, as read at one moment: links, addresses, routes of every table, policy
 * routing rules, neighbours, FDB, the sysctls that decide forwarding ({@code net/ipv4/ip_forward},
 * {@code net/ipv4/conf/DEV/...}; keys are paths under {@code /proc/sys}), the namespace ids of veth peers
 * ({@code ip netns list-id}: nsid → namespace name) and the nft ruleset. {@code node} names the node a pod
 * namespace runs on (the node's own name for a node namespace).
 */
public record NsSnapshot(String name, Role role, String node, Kernel kernel, Map<String, String> sysctls,
                         Map<Integer, String> peerNamespaces, NftRuleset nft) {

    /** What a namespace is in the cluster. */
    public enum Role { POD, NODE, UNDERLAY }

    /** The rtnetlink state of the namespace. */
    public record Kernel(List<Link> links, List<Address> addresses, List<Route> routes, List<RoutingRule> rules,
                         List<Neighbor> neighbors, List<FdbEntry> fdb) {
        public Kernel {
            links = List.copyOf(links);
            addresses = List.copyOf(addresses);
            routes = List.copyOf(routes);
            rules = List.copyOf(rules);
            neighbors = List.copyOf(neighbors);
            fdb = List.copyOf(fdb);
        }
    }

    public NsSnapshot {
        sysctls = Map.copyOf(sysctls);
        peerNamespaces = Map.copyOf(peerNamespaces);
        if (nft == null) nft = NftRuleset.EMPTY;
    }

    public List<Link> links() { return kernel.links(); }

    public Optional<Link> link(String dev) { return kernel.links().stream().filter(l -> l.name().equals(dev)).findFirst(); }

    public Optional<Link> link(int index) { return kernel.links().stream().filter(l -> l.index() == index).findFirst(); }

    public List<Address> addresses(String dev) { return kernel.addresses().stream().filter(a -> a.dev().equals(dev)).toList(); }

    /** The addresses configured on this namespace's interfaces. */
    public Set<IpAddress> localAddresses() {
        Set<IpAddress> out = new HashSet<>();
        for (Address x : kernel.addresses()) out.add(x.cidr().address());
        return out;
    }

    /** Is {@code ip} configured on one of this namespace's interfaces? */
    public boolean owns(IpAddress ip) {
        return kernel.addresses().stream().anyMatch(x -> x.cidr().address().equals(ip));
    }

    /** The sysctl at {@code key} (a path under /proc/sys, e.g. {@code net/ipv4/conf/eth0/rp_filter}), if read. */
    public Optional<String> sysctl(String key) { return Optional.ofNullable(sysctls.get(key)); }

    public int sysctlInt(String key, int dflt) {
        try {
            return sysctl(key).map(String::strip).map(Integer::parseInt).orElse(dflt);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** A builder, mostly for tests that hand-make snapshots. */
    public static Builder builder(String name, Role role, String node) { return new Builder(name, role, node); }

    /** Collects a snapshot piece by piece. */
    public static final class Builder {
        private final String name;
        private final Role role;
        private final String node;
        private final List<Link> links = new ArrayList<>();
        private final List<Address> addresses = new ArrayList<>();
        private final List<Route> routes = new ArrayList<>();
        private final List<RoutingRule> rules = new ArrayList<>();
        private final List<Neighbor> neighbors = new ArrayList<>();
        private final List<FdbEntry> fdb = new ArrayList<>();
        private final Map<String, String> sysctls = new HashMap<>();
        private final Map<Integer, String> peers = new HashMap<>();
        private NftRuleset nft = NftRuleset.EMPTY;

        private Builder(String name, Role role, String node) {
            this.name = name;
            this.role = role;
            this.node = node;
        }

        public Builder link(Link l) { links.add(l); return this; }

        public Builder links(List<Link> l) { links.addAll(l); return this; }

        public Builder address(Address a) { addresses.add(a); return this; }

        public Builder addresses(List<Address> a) { addresses.addAll(a); return this; }

        public Builder route(Route r) { routes.add(r); return this; }

        public Builder routes(List<Route> r) { routes.addAll(r); return this; }

        public Builder rules(List<RoutingRule> r) { rules.addAll(r); return this; }

        public Builder neighbor(Neighbor n) { neighbors.add(n); return this; }

        public Builder neighbors(List<Neighbor> n) { neighbors.addAll(n); return this; }

        public Builder fdb(FdbEntry e) { fdb.add(e); return this; }

        public Builder fdb(List<FdbEntry> e) { fdb.addAll(e); return this; }

        public Builder sysctl(String key, String value) { sysctls.put(key, value); return this; }

        public Builder peerNamespace(int nsid, String ns) { peers.put(nsid, ns); return this; }

        public Builder nft(NftRuleset r) { nft = r; return this; }

        /** Drops everything matching, to break a hand-made snapshot in a test. */
        public Builder removeIf(java.util.function.Predicate<Object> p) {
            links.removeIf(p::test);
            addresses.removeIf(p::test);
            routes.removeIf(p::test);
            neighbors.removeIf(p::test);
            fdb.removeIf(p::test);
            return this;
        }

        public NsSnapshot build() {
            return new NsSnapshot(name, role, node, new Kernel(links, addresses, routes, rules, neighbors, fdb), sysctls, peers, nft);
        }
    }
}
