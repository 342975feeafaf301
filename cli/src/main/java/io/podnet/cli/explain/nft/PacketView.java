package io.podnet.cli.explain.nft;

import io.podnet.net.IpAddress;
import java.util.Set;

/**
 * What a netfilter hook sees of one packet: addresses, layer-4 protocol and ports (ICMP type for ICMP), the
 * input and output interface names (empty when there is none at that hook), the packet mark, the conntrack
 * state ({@code new} for the first packet of a flow, {@code established} for its replies), the
 * namespace's local addresses (for {@code fib daddr type local}) and its route lookup (for {@code fib ... oif}).
 */
public record PacketView(IpAddress src, IpAddress dst, int l4proto, int sport, int dport, int icmpType, String iifname,
                         String oifname, long mark, String ctState, String ctDirection, Set<IpAddress> localAddresses, Fib fib) {

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;
    public static final int IPIP = 4;

    public PacketView {
        if (iifname == null) iifname = "";
        if (oifname == null) oifname = "";
        localAddresses = Set.copyOf(localAddresses);
        if (fib == null) fib = Fib.UNKNOWN;
    }

    /** A view without route lookups ({@code fib ... oif} stays unevaluated). */
    public PacketView(IpAddress src, IpAddress dst, int l4proto, int sport, int dport, int icmpType, String iifname,
                      String oifname, long mark, String ctState, String ctDirection, Set<IpAddress> localAddresses) {
        this(src, dst, l4proto, sport, dport, icmpType, iifname, oifname, mark, ctState, ctDirection, localAddresses, Fib.UNKNOWN);
    }

    public boolean ipv6() { return src.isV6(); }

    public PacketView withIfaces(String in, String out) {
        return new PacketView(src, dst, l4proto, sport, dport, icmpType, in, out, mark, ctState, ctDirection, localAddresses, fib);
    }

    public PacketView withMark(long m) {
        return new PacketView(src, dst, l4proto, sport, dport, icmpType, iifname, oifname, m, ctState, ctDirection, localAddresses, fib);
    }

    /** The protocol's nft name ({@code tcp}, {@code udp}, {@code icmp}, ...), or its number. */
    public static String protoName(int p) {
        return switch (p) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case ICMP -> "icmp";
            case ICMPV6 -> "ipv6-icmp";
            case IPIP -> "ipip";
            case 132 -> "sctp";
            case 33 -> "dccp";
            case 47 -> "gre";
            case 50 -> "esp";
            default -> Integer.toString(p);
        };
    }
}
