package io.podnet.dataplane.nft;

import io.podnet.net.IpAddress;
import java.util.OptionalInt;

/** What a rule (or a verdict-map element) does with a packet it matches. Closed, rendered by an exhaustive switch. */
public sealed interface Verdict {
    record Accept() implements Verdict {}

    record Drop() implements Verdict {}

    record Return() implements Verdict {}

    /** {@code jump CHAIN}. */
    record Jump(NftName chain) implements Verdict {}

    /** {@code masquerade} (source NAT to the outgoing interface's address). */
    record Masquerade() implements Verdict {}

    /** {@code dnat ip to 10.240.0.5:80} (an {@code inet} table names the family). */
    record Dnat(IpAddress to, OptionalInt port) implements Verdict {
        public Dnat {
            if (port == null) port = OptionalInt.empty();
            if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65535)) throw new IllegalArgumentException("dnat port out of range");
        }
    }

    /** {@code ip daddr vmap @m}: the verdict of the map element matching the address (none: the rule does nothing). */
    record Vmap(Match.Dir dir, io.podnet.net.IpFamily family, NftName map) implements Verdict {}

    Verdict ACCEPT = new Accept();
    Verdict DROP = new Drop();
    Verdict RETURN = new Return();
    Verdict MASQUERADE = new Masquerade();

    static String render(Verdict v) {
        return switch (v) {
            case Accept _ -> "accept";
            case Drop _ -> "drop";
            case Return _ -> "return";
            case Jump j -> "jump " + j.chain();
            case Masquerade _ -> "masquerade";
            case Dnat d -> "dnat " + (d.to().isV4() ? "ip" : "ip6") + " to "
                    + (d.to().isV4() || d.port().isEmpty() ? d.to().toString() : "[" + d.to() + "]")
                    + (d.port().isPresent() ? ":" + d.port().getAsInt() : "");
            case Vmap m -> Match.ip(m.family()) + " " + Match.dir(m.dir()) + " vmap @" + m.map();
        };
    }

    /** The verdicts a verdict map may hold (nft: accept, drop, return, jump, goto, continue). */
    static boolean mapValue(Verdict v) {
        return switch (v) {
            case Accept _, Drop _, Return _, Jump _ -> true;
            case Masquerade _, Dnat _, Vmap _ -> false;
        };
    }
}
