package io.podnet.dataplane.nft;

import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import java.util.regex.Pattern;

/**
 * One match of a rule, rendered in nft syntax. A closed set: a new kind of match is a new record here, and the
 * renderer is an exhaustive switch, so callers never glue nft text together.
 */
public sealed interface Match {

    /** Source or destination. */
    enum Dir { SADDR, DADDR }

    /** {@code ip saddr 10.244.0.0/16}, {@code ip6 daddr != ff00::/8}. */
    record Addr(Dir dir, boolean negate, IpPrefix prefix) implements Match {}

    /** {@code ip saddr @pods} (the set's type must be the prefix family's). */
    record AddrInSet(Dir dir, boolean negate, IpFamily family, NftName set) implements Match {}

    /** {@code fib daddr type local}: the destination is an address of this node. */
    record LocalDaddr() implements Match {}

    /** {@code tcp dport 80}, {@code udp dport 30000-30100}. */
    record Port(L4 proto, boolean destination, int from, int to) implements Match {
        public Port {
            if (from < 1 || to > 65535 || to < from) throw new IllegalArgumentException("port range " + from + "-" + to + " out of range");
        }
    }

    /** A transport protocol nft names. */
    enum L4 { TCP, UDP, SCTP }

    /** {@code iifname "cni0"}, {@code oifname != "cali*"} (a trailing {@code *} matches a name prefix). */
    record Iface(boolean input, boolean negate, String name) implements Match {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-@:]{1,15}\\*?");

        public Iface {
            if (name == null || !NAME.matcher(name).matches()) throw new IllegalArgumentException("invalid interface name \"" + name + "\"");
        }
    }

    static Addr saddr(IpPrefix p) { return new Addr(Dir.SADDR, false, p); }

    static Addr daddrNot(IpPrefix p) { return new Addr(Dir.DADDR, true, p); }

    /** The nft text of {@code m}. */
    static String render(Match m) {
        return switch (m) {
            case Addr a -> ip(a.prefix().family()) + " " + dir(a.dir()) + (a.negate() ? " != " : " ") + a.prefix();
            case AddrInSet s -> ip(s.family()) + " " + dir(s.dir()) + (s.negate() ? " != @" : " @") + s.set();
            case LocalDaddr _ -> "fib daddr type local";
            case Port p -> Hook.lower(p.proto()) + (p.destination() ? " dport " : " sport ") + (p.from() == p.to() ? "" + p.from() : p.from() + "-" + p.to());
            case Iface i -> (i.input() ? "iifname" : "oifname") + (i.negate() ? " != \"" : " \"") + i.name() + "\"";
        };
    }

    static String ip(IpFamily f) { return f == IpFamily.V4 ? "ip" : "ip6"; }

    static String dir(Dir d) { return d == Dir.SADDR ? "saddr" : "daddr"; }
}
