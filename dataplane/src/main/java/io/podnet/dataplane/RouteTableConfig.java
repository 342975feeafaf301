package io.podnet.dataplane;

import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.message.Nl;
import java.util.List;

/**
 * Which routes a {@link RouteTable} owns: those in routing table {@code table} that carry {@code protocol},
 * plus (optionally) every non-kernel route whose device name starts with one of {@code interfacePrefixes}
 * (Calico's {@code cali*} workload interfaces). A resync deletes owned routes that are not desired and never
 * touches anything else.
 */
public record RouteTableConfig(int table, RouteProtocol protocol, List<String> interfacePrefixes) {

    public RouteTableConfig {
        if (table <= 0 || table == Nl.RT_TABLE_LOCAL) {
            throw new IllegalArgumentException("route table must be a real table other than local (255): " + table);
        }
        if (protocol == null || protocol.equals(RouteProtocol.UNSPEC) || protocol.equals(RouteProtocol.KERNEL)) {
            throw new IllegalArgumentException("a route table cannot own protocol " + protocol + " (the kernel's own routes)");
        }
        interfacePrefixes = List.copyOf(interfacePrefixes);
        for (String p : interfacePrefixes) {
            if (p.isEmpty() || p.length() > 15) throw new IllegalArgumentException("bad interface prefix \"" + p + "\"");
        }
    }

    /** The main table (254), protocol {@link RouteProtocol#PODNET}, no interface prefixes. */
    public static RouteTableConfig main() {
        return new RouteTableConfig(Nl.RT_TABLE_MAIN, RouteProtocol.PODNET, List.of());
    }

    public RouteTableConfig withTable(int t) { return new RouteTableConfig(t, protocol, interfacePrefixes); }

    public RouteTableConfig withProtocol(RouteProtocol p) { return new RouteTableConfig(table, p, interfacePrefixes); }

    public RouteTableConfig withInterfacePrefixes(String... prefixes) {
        return new RouteTableConfig(table, protocol, List.of(prefixes));
    }

    /** True if {@code dev} matches one of the owned interface prefixes. */
    public boolean ownsInterface(String dev) {
        for (String p : interfacePrefixes) if (dev.startsWith(p)) return true;
        return false;
    }
}
