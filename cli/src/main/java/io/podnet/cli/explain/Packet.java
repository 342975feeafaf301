package io.podnet.cli.explain;

import io.podnet.cli.explain.nft.PacketView;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;

/**
 * A packet as it travels: its headers, size (the IP packet), DF and TTL, the mark and conntrack state nft sees,
 * and, for a tunnel packet, the {@code inner} packet it carries (with the inner frame's destination MAC and
 * the VNI for VXLAN). {@code src} is null for a locally generated packet whose source the route picks.
 */
record Packet(IpAddress src, IpAddress dst, int proto, int sport, int dport, int icmpType, int size, boolean df, int ttl,
              long mark, String ct, Packet inner, MacAddress innerMac, int vni) {

    static final int DEFAULT_TTL = 64;

    Packet withSrc(IpAddress s) { return new Packet(s, dst, proto, sport, dport, icmpType, size, df, ttl, mark, ct, inner, innerMac, vni); }

    Packet withDst(IpAddress d, int port) { return new Packet(src, d, proto, sport, port, icmpType, size, df, ttl, mark, ct, inner, innerMac, vni); }

    Packet withSize(int s) { return new Packet(src, dst, proto, sport, dport, icmpType, s, df, ttl, mark, ct, inner, innerMac, vni); }

    Packet withTtl(int t) { return new Packet(src, dst, proto, sport, dport, icmpType, size, df, t, mark, ct, inner, innerMac, vni); }

    Packet withMark(long m) { return new Packet(src, dst, proto, sport, dport, icmpType, size, df, ttl, m, ct, inner, innerMac, vni); }

    /** A tunnel packet carrying {@code inner}: new outer headers, the inner conntrack state. */
    static Packet outer(IpAddress src, IpAddress dst, int proto, int dport, int overhead, boolean df, Packet inner, MacAddress mac, int vni) {
        return new Packet(src, dst, proto, proto == PacketView.UDP ? 49152 : 0, dport, 0, inner.size + overhead, df, DEFAULT_TTL, 0,
                inner.ct, inner, mac, vni);
    }

    /** What the hooks of {@code ns} see of this packet between {@code in} and {@code out}. */
    PacketView view(String in, String out, NsSnapshot ns) {
        return new PacketView(src == null ? dst : src, dst, proto, sport, dport, icmpType, in, out, mark, ct,
                ct.equals("new") ? "original" : "reply", ns.localAddresses(), Routing.fib(ns));
    }

    String describe() {
        String p = switch (proto) {
            case PacketView.TCP -> "tcp " + sport + "→" + dport;
            case PacketView.UDP -> "udp →" + dport;
            case PacketView.ICMP -> "icmp type " + icmpType;
            case PacketView.IPIP -> "ipip";
            default -> "proto " + proto;
        };
        return (src == null ? "?" : src) + " → " + dst + " " + p + ", " + size + " bytes";
    }
}
