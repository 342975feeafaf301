package io.podnet.dataplane;

import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.message.Nl;
import java.util.List;

/**
 * Which routes a {@link RouteTable} owns: those in routing table {@code table} that carry {@code protocol} (the one
 * it stamps on routes) or one of {@code alsoOwned}, plus every non-kernel route whose device name starts with one
 * of {@code interfacePrefixes}
 * (Calico's {@code cali*} workload interfaces). A resync deletes owned routes that are not desired and never
 * touches anything else.
 */
public record RouteTableConfig(int table, RouteProtocol protocol, List<String> interfacePrefixes, java.util.Set<RouteProtocol> alsoOwned) {

    public RouteTableConfig {
        if (table <= 0 || table == Nl.RT_TABLE_LOCAL) {
            throw new IllegalArgumentException("route table must be a real table other than local (255): " + table);
        }
        if (protocol == null || protocol.equals(RouteProtocol.UNSPEC) || protocol.equals(RouteProtocol.KERNEL)) {
            throw new IllegalArgumentException("a route table cannot own protocol " + protocol + " (the kernel's own routes)");
        }
        interfacePrefixes = List.copyOf(interfacePrefixes);
        alsoOwned = alsoOwned == null ? java.util.Set.of() : java.util.Set.copyOf(alsoOwned);
        for (RouteProtocol p : alsoOwned) {
            if (p.equals(RouteProtocol.UNSPEC) || p.equals(RouteProtocol.KERNEL)) throw new IllegalArgumentException("a route table cannot own protocol " + p);
        }
        for (String p : interfacePrefixes) {
            if (p.isEmpty() || p.length() > 15) throw new IllegalArgumentException("bad interface prefix \"" + p + "\"");
        }
    }

    /** The main table (254), protocol {@link RouteProtocol#PODNET}, no interface prefixes. */
    public static RouteTableConfig main() {
        return new RouteTableConfig(Nl.RT_TABLE_MAIN, RouteProtocol.PODNET, List.of(), java.util.Set.of());
    }

    public RouteTableConfig withTable(int t) { return new RouteTableConfig(t, protocol, interfacePrefixes, alsoOwned); }

    public RouteTableConfig withProtocol(RouteProtocol p) { return new RouteTableConfig(table, p, interfacePrefixes, alsoOwned); }

    public RouteTableConfig withInterfacePrefixes(String... prefixes) {
        return new RouteTableConfig(table, protocol, List.of(prefixes), alsoOwned);
    }

    /** Also owns routes of these protocols (e.g. BGP-learned routes a producer keeps with their own mark). */
    public RouteTableConfig withAlsoOwned(RouteProtocol... protocols) {
        return new RouteTableConfig(table, protocol, interfacePrefixes, java.util.Set.of(protocols));
    }

    /** True for the table's protocol and the ones it also owns. */
    public boolean ownsProtocol(RouteProtocol p) {
        return p.equals(protocol) || alsoOwned.contains(p);
    }

    /** True if {@code dev} matches one of the owned interface prefixes. */
    public boolean ownsInterface(String dev) {
        for (String p : interfacePrefixes) if (dev.startsWith(p)) return true;
        return false;
    }
}
