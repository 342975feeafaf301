package io.podnet.dataplane.nft;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * A named set of podnet's table, e.g. {@code set pods4 { type ipv4_addr; flags interval; elements = { 10.244.0.0/16 } }}.
 * Elements are kept in nft's canonical text (a full-length prefix is its address), sorted, so a set read back from
 * the kernel compares equal. Address sets are interval sets; prefixes contained in others are dropped (nft refuses
 * overlapping intervals).
 */
public record NftSet(NftName name, Type type, boolean interval, List<String> elements) {

    /** Element types. */
    public enum Type {
        IPV4_ADDR("ipv4_addr"), IPV6_ADDR("ipv6_addr"), INET_SERVICE("inet_service");

        final String nft;

        Type(String nft) {
            this.nft = nft;
        }

        static Type ofAddress(IpFamily f) { return f == IpFamily.V4 ? IPV4_ADDR : IPV6_ADDR; }
    }

    public NftSet {
        if (name == null || type == null) throw new IllegalArgumentException("a set needs a name and a type");
        elements = List.copyOf(new TreeSet<>(elements));
    }

    /** An interval set of addresses of one family. */
    public static NftSet addresses(NftName name, IpFamily family, Collection<IpPrefix> prefixes) {
        List<IpPrefix> kept = new ArrayList<>();
        for (IpPrefix p : new TreeSet<>(prefixes)) {
            if (p.family() != family) throw new IllegalArgumentException("set " + name + " holds " + family + " addresses, not " + p);
            if (kept.stream().noneMatch(k -> k.contains(p))) {
                kept.removeIf(p::contains);
                kept.add(p);
            }
        }
        return new NftSet(name, Type.ofAddress(family), true, kept.stream().map(NftSet::element).toList());
    }

    /** A set of port numbers. */
    public static NftSet ports(NftName name, Collection<Integer> ports) {
        for (int p : ports) if (p < 1 || p > 65535) throw new IllegalArgumentException("port out of range: " + p);
        return new NftSet(name, Type.INET_SERVICE, false, ports.stream().map(String::valueOf).toList());
    }

    /** nft's text of an address element: {@code 10.0.0.0/8}, or {@code 10.1.2.3} for a /32. */
    static String element(IpPrefix p) {
        return p.length() == p.family().bits() ? p.address().toString() : p.toString();
    }
}
