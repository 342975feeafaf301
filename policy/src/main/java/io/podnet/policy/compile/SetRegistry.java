package io.podnet.policy.compile;

import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.policy.model.GlobalNetworkSet;
import io.podnet.policy.model.NamedPort;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.policy.nft.NftSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The nft sets rules refer to, made on first use and filled from the cluster's endpoints and network sets:
 * <ul>
 *   <li>{@code sel-<hash>-4|6}: addresses matched by a {@link PeerKey} (endpoint addresses, network-set CIDRs),
 *       an interval set whose elements never overlap (a prefix inside another is left out);</li>
 *   <li>{@code port-<hash>-4|6}: {@code address . protocol . port} of every endpoint in a scope that names one of
 *       some ports for a protocol: how a named port is resolved on the destination (or source) endpoint.</li>
 * </ul>
 * Names hash the key's canonical text, so a set keeps its name while its members change: a label change is a
 * set-element change, not a rule change. Only referenced sets exist.
 */
final class SetRegistry {
    private final List<WorkloadEndpoint> endpoints;
    private final Map<String, List<WorkloadEndpoint>> byNamespace = new HashMap<>();
    private final List<GlobalNetworkSet> networkSets;
    private final Matching matching;
    private final Map<String, NftSet> sets = new TreeMap<>();
    private final Map<PeerKey, List<WorkloadEndpoint>> members = new HashMap<>();
    private final Map<Request, String> names;
    private List<Request> recording;

    /** {@code names}: set names by request, kept by the compiler across runs (a name is a pure function of its request). */
    SetRegistry(List<WorkloadEndpoint> endpoints, List<GlobalNetworkSet> networkSets, Matching matching, Map<Request, String> names) {
        this.names = names;
        this.endpoints = endpoints;
        this.networkSets = networkSets;
        this.matching = matching;
        for (WorkloadEndpoint e : endpoints) byNamespace.computeIfAbsent(e.namespace(), k -> new ArrayList<>()).add(e);
    }

    /** A set a rule refers to: what decides its name and members. */
    sealed interface Request {
        IpFamily family();

        /** The canonical text its name hashes. */
        String text();
    }

    /** Addresses {@code key} selects. */
    record SelectorSet(PeerKey key, IpFamily family) implements Request {
        @Override public String text() { return key.text(); }
    }

    /** {@code address . protocol . port} for ports {@code names}/{@code protocol} of endpoints in {@code scope} (all when empty). */
    record NamedPortSet(Optional<PeerKey> scope, SortedSet<String> names, Protocol protocol, IpFamily family) implements Request {
        @Override public String text() {
            return "named ports " + String.join(",", names) + "/" + protocol + " of " + scope.map(PeerKey::text).orElse("all endpoints");
        }
    }

    /**
     * The set for {@code r}, made and filled on first use; its name. While {@link #record} is active the request
     * is also remembered, so a cached policy chain can {@link #replay} what it refers to.
     */
    String use(Request r) {
        if (recording != null) recording.add(r);
        String name = names.computeIfAbsent(r, k -> (k instanceof SelectorSet ? "sel-" : "port-") + Policy.hash(k.text()) + suffix(k.family()));
        if (!sets.containsKey(name)) sets.put(name, make(name, r));
        return name;
    }

    void record() {
        recording = new ArrayList<>();
    }

    List<Request> recorded() {
        List<Request> out = List.copyOf(recording);
        recording = null;
        return out;
    }

    void replay(List<Request> requests) {
        for (Request r : requests) use(r);
    }

    private NftSet make(String name, Request r) {
        return switch (r) {
            case SelectorSet s -> {
                List<IpPrefix> prefixes = new ArrayList<>();
                for (WorkloadEndpoint e : endpointsOf(s.key())) {
                    for (IpAddress a : e.addresses()) if (a.family() == s.family()) prefixes.add(IpPrefix.host(a));
                }
                for (GlobalNetworkSet g : networkSets) {
                    if (!matching.matches(s.key(), g)) continue;
                    for (IpPrefix p : g.nets()) if (p.family() == s.family()) prefixes.add(p);
                }
                yield new NftSet(name, addrType(s.family()), true, s.text(), disjoint(prefixes));
            }
            case NamedPortSet n -> {
                TreeSet<Element> elements = new TreeSet<>();
                for (WorkloadEndpoint e : n.scope().map(this::endpointsOf).orElse(endpoints)) {
                    for (NamedPort np : e.ports()) {
                        if (!n.names().contains(np.name()) || !np.protocol().equals(n.protocol())) continue;
                        for (IpAddress a : e.addresses()) if (a.family() == n.family()) elements.add(new Element(a, n.protocol(), np.port()));
                    }
                }
                SequencedSet<String> text = new LinkedHashSet<>();
                for (Element el : elements) text.add(el.address + " . " + el.protocol.nftName() + " . " + el.port);
                yield new NftSet(name, addrType(n.family()) + " . inet_proto . inet_service", false, n.text(), text);
            }
        };
    }

    List<NftSet> sets() {
        return List.copyOf(sets.values());
    }

    private List<WorkloadEndpoint> endpointsOf(PeerKey key) {
        return members.computeIfAbsent(key, k -> {
            List<WorkloadEndpoint> candidates = k.scope() instanceof PeerKey.Scope.InNamespace(String ns)
                    ? byNamespace.getOrDefault(ns, List.of()) : endpoints;
            List<WorkloadEndpoint> out = new ArrayList<>();
            for (WorkloadEndpoint e : candidates) if (matching.matches(k, e)) out.add(e);
            return out;
        });
    }

    /** Sorted, without prefixes covered by another (interval sets refuse overlaps); hosts print as addresses. */
    static SequencedSet<String> disjoint(List<IpPrefix> prefixes) {
        List<IpPrefix> sorted = new ArrayList<>(new TreeSet<>(prefixes));
        SequencedSet<String> out = new LinkedHashSet<>();
        IpPrefix cover = null;
        for (IpPrefix p : sorted) {
            if (cover != null && cover.contains(p)) continue;
            cover = p;
            out.add(text(p));
        }
        return out;
    }

    static String text(IpPrefix p) {
        return p.length() == p.family().bits() ? p.address().toString() : p.toString();
    }

    static String addrType(IpFamily f) {
        return f == IpFamily.V4 ? "ipv4_addr" : "ipv6_addr";
    }

    static String suffix(IpFamily f) {
        return f == IpFamily.V4 ? "-4" : "-6";
    }

    private record Element(IpAddress address, Protocol protocol, int port) implements Comparable<Element> {
        private static final Comparator<Element> ORDER = Comparator.comparing(Element::address)
                .thenComparingInt(e -> e.protocol.number()).thenComparingInt(Element::port);

        @Override
        public int compareTo(Element o) { return ORDER.compare(this, o); }
    }
}
