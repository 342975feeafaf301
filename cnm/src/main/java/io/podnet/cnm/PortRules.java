package io.podnet.cnm;

import io.podnet.cnm.state.EndpointState;
import io.podnet.cnm.state.NetworkState;
import io.podnet.cnm.state.PortMapping;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.workload.nft.NftTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The CNM chains of {@code table inet podnet}: DNAT for published ports (prerouting for traffic from outside,
 * output for locally originated traffic, e.g. to 127.0.0.1), masquerade of loopback-sourced connections to
 * a container (they need {@code route_localnet} on the bridge too), and masquerade of traffic leaving a pool.
 * Docker does no port forwarding for remote drivers, so this is the only forwarding a published port gets.
 */
final class PortRules {
    static final String PRE = "cnm_dnat_pre";
    static final String OUT = "cnm_dnat_out";
    static final String POST = "cnm_snat";
    private static final System.Logger LOG = System.getLogger(PortRules.class.getName());

    private PortRules() {}

    /** Sets (or removes, when empty) the three CNM chains in {@code nft} for the given state. */
    static void render(NftTable nft, Collection<NetworkState> networks, Collection<EndpointState> endpoints, boolean ipMasq) {
        List<String> dnat = new ArrayList<>();
        List<String> snat = new ArrayList<>();
        if (ipMasq) {
            for (NetworkState n : networks) {
                List<IpPrefix> pools = n.dualStack() ? List.of(IpPrefix.parse(n.pool()), IpPrefix.parse(n.pool6())) : List.of(IpPrefix.parse(n.pool()));
                snat.addAll(NftTable.masqueradeRules("cnm-" + n.bridge(), pools));
            }
        }
        for (EndpointState e : endpoints) {
            if (!e.published() || !e.joined()) continue;
            IpAddress addr = IpAddress.parse(e.address().substring(0, e.address().indexOf('/')));
            for (PortMapping m : e.ports()) addRules(e, addr, m, dnat, snat);
        }
        if (dnat.isEmpty() && snat.isEmpty()) {
            nft.removeChain(PRE);
            nft.removeChain(OUT);
            nft.removeChain(POST);
            return;
        }
        nft.setChain(PRE, new NftTable.Chain("type nat hook prerouting priority dstnat; policy accept;", dnat));
        nft.setChain(OUT, new NftTable.Chain("type nat hook output priority -100; policy accept;", dnat));
        nft.setChain(POST, new NftTable.Chain("type nat hook postrouting priority srcnat; policy accept;", snat));
    }

    private static void addRules(EndpointState e, IpAddress addr, PortMapping m, List<String> dnat, List<String> snat) {
        if (m.hostPort() == 0) {
            LOG.log(System.Logger.Level.WARNING, "endpoint {0}: port {1}/{2} has no host port; podnet does not pick one",
                    e.endpointId(), m.port(), m.protoName());
            return;
        }
        String match;
        if (m.hostIp().isEmpty() || m.hostIp().equals("0.0.0.0")) {
            match = "fib daddr type local";
        } else {
            IpAddress h = IpAddress.parse(m.hostIp());
            if (!h.isV4()) return; // IPv6 host addresses are not published (DNAT to the IPv4 address only)
            match = "ip daddr " + h;
        }
        String ports = m.hostPortEnd() > m.hostPort() ? m.hostPort() + "-" + m.hostPortEnd() : Integer.toString(m.hostPort());
        String comment = " comment \"podnet cnm ep=" + e.endpointId().substring(0, Math.min(12, e.endpointId().length())) + "\"";
        dnat.add(match + " " + m.protoName() + " dport " + ports + " dnat ip to " + addr + ":" + m.port() + comment);
        snat.add("ip saddr 127.0.0.0/8 ip daddr " + addr + " " + m.protoName() + " dport " + m.port() + " masquerade" + comment);
    }
}
