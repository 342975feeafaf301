package io.podnet.dataplane.nft;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/** Rules several producers build the same way. */
public final class NftRules {
    public static final IpPrefix MULTICAST_V4 = IpPrefix.parse("224.0.0.0/4");
    public static final IpPrefix MULTICAST_V6 = IpPrefix.parse("ff00::/8");

    private NftRules() {}

    /**
     * Masquerade for pod subnets: traffic from a subnet to anywhere outside it and not multicast, one rule per
     * subnet ({@code ip saddr S ip daddr != S ip daddr != 224.0.0.0/4 masquerade}).
     */
    public static List<Rule> masquerade(List<IpPrefix> subnets, String comment) {
        List<Rule> rules = new ArrayList<>();
        for (IpPrefix s : subnets) {
            IpPrefix mcast = s.family() == IpFamily.V4 ? MULTICAST_V4 : MULTICAST_V6;
            rules.add(Rule.of(List.of(Match.saddr(s), Match.daddrNot(s), Match.daddrNot(mcast)), Verdict.MASQUERADE, comment));
        }
        return rules;
    }

    /** A postrouting NAT chain holding {@link #masquerade} rules. */
    public static Chain masqueradeChain(NftName name, List<IpPrefix> subnets, String comment) {
        return Chain.base(name, Hook.srcnat(), masquerade(subnets, comment));
    }
}
