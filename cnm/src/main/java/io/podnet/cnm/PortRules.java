package io.podnet.cnm;

import io.podnet.cnm.state.EndpointState;
import io.podnet.cnm.state.NetworkState;
import io.podnet.cnm.state.PortMapping;
import io.podnet.dataplane.nft.Chain;
import io.podnet.dataplane.nft.Hook;
import io.podnet.dataplane.nft.Match;
import io.podnet.dataplane.nft.NftName;
import io.podnet.dataplane.nft.NftRules;
import io.podnet.dataplane.nft.NftTable;
import io.podnet.dataplane.nft.Rule;
import io.podnet.dataplane.nft.Verdict;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;

/**
 * The CNM chains of {@code table inet podnet}: DNAT for published ports (prerouting for traffic from outside,
 * output for locally originated traffic, e.g. to 127.0.0.1), masquerade of loopback-sourced connections to
 * a container (they need {@code route_localnet} on the bridge too), and masquerade of traffic leaving a pool.
 * Docker does no port forwarding for remote drivers, so this is the only forwarding a published port gets.
 */
final class PortRules {
    static final NftName PRE = NftName.of("cnm_dnat_pre");
    static final NftName OUT = NftName.of("cnm_dnat_out");
    static final NftName POST = NftName.of("cnm_snat");
    private static final IpPrefix LOOPBACK = IpPrefix.parse("127.0.0.0/8");
    private static final System.Logger LOG = System.getLogger(PortRules.class.getName());

    private PortRules() {}

    /** Replaces {@code owner}'s chains in {@code nft} by the three CNM chains for this state (none when empty). */
    static void render(NftTable nft, String owner, Collection<NetworkState> networks, Collection<EndpointState> endpoints, boolean ipMasq) {
        List<Rule> dnat = new ArrayList<>();
        List<Rule> snat = new ArrayList<>();
        if (ipMasq) {
            for (NetworkState n : networks) {
                List<IpPrefix> pools = n.dualStack() ? List.of(IpPrefix.parse(n.pool()), IpPrefix.parse(n.pool6())) : List.of(IpPrefix.parse(n.pool()));
                snat.addAll(NftRules.masquerade(pools, "podnet net=cnm-" + n.bridge()));
            }
        }
        for (EndpointState e : endpoints) {
            if (!e.published() || !e.joined()) continue;
            IpAddress addr = IpAddress.parse(e.address().substring(0, e.address().indexOf('/')));
            for (PortMapping m : e.ports()) addRules(e, addr, m, dnat, snat);
        }
        if (dnat.isEmpty() && snat.isEmpty()) {
            nft.replaceOwned(owner, List.of(), List.of(), List.of());
            return;
        }
        nft.replaceOwned(owner, List.of(Chain.base(PRE, Hook.dstnat(), dnat), Chain.base(OUT, Hook.outputDnat(), dnat),
                Chain.base(POST, Hook.srcnat(), snat)), List.of(), List.of());
    }

    private static void addRules(EndpointState e, IpAddress addr, PortMapping m, List<Rule> dnat, List<Rule> snat) {
        if (m.hostPort() == 0) {
            LOG.log(System.Logger.Level.WARNING, "endpoint {0}: port {1}/{2} has no host port; podnet does not pick one",
                    e.endpointId(), m.port(), m.protoName());
            return;
        }
        Match dest;
        if (m.hostIp().isEmpty() || m.hostIp().equals("0.0.0.0")) {
            dest = new Match.LocalDaddr();
        } else {
            IpAddress h = IpAddress.parse(m.hostIp());
            if (!h.isV4()) return; // IPv6 host addresses are not published (DNAT to the IPv4 address only)
            dest = new Match.Addr(Match.Dir.DADDR, false, IpPrefix.host(h));
        }
        Match.L4 proto = switch (m.proto()) {
            case 6 -> Match.L4.TCP;
            case 17 -> Match.L4.UDP;
            default -> Match.L4.SCTP;
        };
        String comment = "podnet cnm ep=" + e.endpointId().substring(0, Math.min(12, e.endpointId().length()));
        dnat.add(Rule.of(List.of(dest, new Match.Port(proto, true, m.hostPort(), m.hostPortEnd())),
                new Verdict.Dnat(addr, OptionalInt.of(m.port())), comment));
        snat.add(Rule.of(List.of(Match.saddr(LOOPBACK), new Match.Addr(Match.Dir.DADDR, false, IpPrefix.host(addr)),
                new Match.Port(proto, true, m.port(), m.port())), Verdict.MASQUERADE, comment));
    }
}
