package io.podnet.cli.explain.nft;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cli.explain.nft.NftEvaluator.Tri;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates nft expressions (the JSON forms of libnftables-json(5)) against one {@link PacketView}: payload
 * fields with their implicit protocol dependency, meta, ct, fib (address type; output device through the
 * namespace's route lookup), bitwise and, concatenations; and matches them against values, prefixes, ranges,
 * anonymous and named sets, flag lists and interface wildcards.
 */
final class Matcher {
    private static final Map<String, Integer> L4 = Map.of("tcp", 6, "udp", 17, "icmp", 1, "ipv6-icmp", 58, "icmpv6", 58,
            "sctp", 132, "dccp", 33, "gre", 47, "esp", 50, "ipip", 4);
    private static final Map<Integer, String> ICMP_TYPES = Map.of(0, "echo-reply", 3, "destination-unreachable", 5, "redirect",
            8, "echo-request", 11, "time-exceeded", 12, "parameter-problem");
    private static final Map<Integer, String> ICMPV6_TYPES = Map.of(1, "destination-unreachable", 2, "packet-too-big",
            3, "time-exceeded", 128, "echo-request", 129, "echo-reply", 135, "nd-neighbor-solicit", 136, "nd-neighbor-advert");

    private final NftRuleset rules;

    Matcher(NftRuleset rules) {
        this.rules = rules;
    }

    /** A match's outcome; {@code unknown} says what could not be evaluated. */
    record Match(Tri tri, String unknown) {
        static final Match TRUE = new Match(Tri.TRUE, null);
        static final Match FALSE = new Match(Tri.FALSE, null);

        static Match of(boolean b) { return b ? TRUE : FALSE; }
    }

    /** A verdict-map lookup: the element's verdict, or none (with {@code unknown} set if the key was not evaluable). */
    record Lookup(Optional<JsonNode> verdict, String unknown) {}

    Match match(JsonNode m, PacketView p, NftRuleset.Rule rule) {
        Val left = value(m.path("left"), p);
        if (left instanceof Val.Absent) return Match.FALSE;
        if (left instanceof Val.Unknown u) return new Match(Tri.UNKNOWN, u.what());
        String op = m.path("op").asText("==");
        JsonNode right = m.path("right");
        Match in = contains(left, right, rule);
        return switch (op) {
            case "==", "in" -> in;
            case "!=" -> in.tri == Tri.UNKNOWN ? in : Match.of(in.tri == Tri.FALSE);
            case "<", ">", "<=", ">=" -> compare(left, right, op);
            default -> new Match(Tri.UNKNOWN, "operator " + op);
        };
    }

    Lookup lookupVerdict(JsonNode vmap, PacketView p, NftRuleset.Rule rule) {
        Val key = value(vmap.path("key"), p);
        if (key instanceof Val.Absent) return new Lookup(Optional.empty(), null);
        if (key instanceof Val.Unknown u) return new Lookup(Optional.empty(), u.what());
        JsonNode data = vmap.path("data");
        List<JsonNode> pairs = new ArrayList<>();
        if (data.isTextual() && data.asText().startsWith("@")) {
            Optional<NftRuleset.NamedSet> s = rules.set(rule.family(), rule.table(), data.asText().substring(1));
            if (s.isEmpty()) return new Lookup(Optional.empty(), "no map " + data.asText());
            pairs.addAll(s.get().elements());
        } else {
            data.path("set").forEach(pairs::add);
        }
        for (JsonNode pair : pairs) {
            if (!pair.isArray() || pair.size() < 2) continue;
            Match m = element(key, pair.get(0), rule);
            if (m.tri == Tri.TRUE) return new Lookup(Optional.of(pair.get(1)), null);
            if (m.tri == Tri.UNKNOWN) return new Lookup(Optional.empty(), m.unknown);
        }
        return new Lookup(Optional.empty(), null);
    }

    // ---- left side ----

    Val value(JsonNode e, PacketView p) {
        if (e.has("payload")) return payload(e.get("payload"), p);
        if (e.has("meta")) return meta(e.get("meta").path("key").asText(), p);
        if (e.has("ct")) return ct(e.get("ct").path("key").asText(), p);
        if (e.has("fib")) return fib(e.get("fib"), p);
        if (e.has("&")) {
            JsonNode args = e.get("&");
            Val a = value(args.get(0), p);
            if (!(a instanceof Val.Num n)) return a instanceof Val.Absent || a instanceof Val.Unknown ? a : new Val.Unknown("bitwise and on " + a);
            return args.get(1).isNumber() ? new Val.Num(n.value() & args.get(1).asLong()) : new Val.Unknown("bitwise and with " + args.get(1));
        }
        if (e.has("concat")) {
            List<Val> parts = new ArrayList<>();
            for (JsonNode x : e.get("concat")) {
                Val v = value(x, p);
                if (v instanceof Val.Absent || v instanceof Val.Unknown) return v;
                parts.add(v);
            }
            return new Val.Concat(parts);
        }
        String name = e.fieldNames().hasNext() ? e.fieldNames().next() : e.toString();
        return new Val.Unknown("expression '" + name + "'");
    }

    private static Val payload(JsonNode pl, PacketView p) {
        String proto = pl.path("protocol").asText("");
        String field = pl.path("field").asText("");
        if (proto.isEmpty()) return new Val.Unknown("raw payload " + pl);
        switch (proto) {
            case "ip", "ip6" -> {
                if (proto.equals("ip6") != p.ipv6()) return new Val.Absent();
                return switch (field) {
                    case "saddr" -> new Val.Ip(p.src());
                    case "daddr" -> new Val.Ip(p.dst());
                    case "protocol", "nexthdr" -> new Val.Num(p.l4proto(), PacketView.protoName(p.l4proto()));
                    default -> new Val.Unknown(proto + " " + field);
                };
            }
            case "tcp", "udp", "sctp", "dccp", "th" -> {
                boolean has = proto.equals("th") ? Set.of(6, 17, 132, 33).contains(p.l4proto()) : L4.get(proto) == p.l4proto();
                if (!has) return new Val.Absent();
                return switch (field) {
                    case "sport" -> new Val.Num(p.sport());
                    case "dport" -> new Val.Num(p.dport());
                    case "flags" -> new Val.Flags(p.ctState().equals("new") ? Set.of("syn") : Set.of("ack"));
                    default -> new Val.Unknown(proto + " " + field);
                };
            }
            case "icmp", "icmpv6" -> {
                int want = proto.equals("icmp") ? PacketView.ICMP : PacketView.ICMPV6;
                if (p.l4proto() != want) return new Val.Absent();
                Map<Integer, String> names = want == PacketView.ICMP ? ICMP_TYPES : ICMPV6_TYPES;
                return switch (field) {
                    case "type" -> new Val.Num(p.icmpType(), names.get(p.icmpType()));
                    case "code" -> new Val.Num(0);
                    default -> new Val.Unknown(proto + " " + field);
                };
            }
            default -> {
                return new Val.Unknown("payload " + proto + " " + field);
            }
        }
    }

    private static Val meta(String key, PacketView p) {
        return switch (key) {
            case "iifname", "iif" -> p.iifname().isEmpty() ? new Val.Absent() : new Val.Str(p.iifname());
            case "oifname", "oif" -> p.oifname().isEmpty() ? new Val.Absent() : new Val.Str(p.oifname());
            case "l4proto" -> new Val.Num(p.l4proto(), PacketView.protoName(p.l4proto()));
            case "nfproto" -> new Val.Str(p.ipv6() ? "ipv6" : "ipv4");
            case "protocol" -> new Val.Str(p.ipv6() ? "ip6" : "ip");
            case "mark" -> new Val.Num(p.mark());
            case "pkttype" -> new Val.Str(p.localAddresses().contains(p.dst()) ? "host" : "unicast");
            default -> new Val.Unknown("meta " + key);
        };
    }

    private static Val ct(String key, PacketView p) {
        return switch (key) {
            case "state" -> new Val.Flags(Set.of(p.ctState()));
            case "direction" -> new Val.Str(p.ctDirection());
            case "status" -> new Val.Flags(Set.of());
            default -> new Val.Unknown("ct " + key);
        };
    }

    private static Val fib(JsonNode fib, PacketView p) {
        List<String> flags = new ArrayList<>();
        fib.path("flags").forEach(f -> flags.add(f.asText()));
        if (fib.path("flags").isTextual()) flags.add(fib.path("flags").asText());
        if (fib.path("result").asText().equals("type") && flags.contains("daddr")) {
            return new Val.Str(p.localAddresses().contains(p.dst()) ? "local" : "unicast");
        }
        if (fib.path("result").asText().equals("type") && flags.contains("saddr")) {
            return new Val.Str(p.localAddresses().contains(p.src()) ? "local" : "unicast");
        }
        String result = fib.path("result").asText();
        if ((result.equals("oif") || result.equals("oifname")) && (flags.contains("saddr") || flags.contains("daddr"))) {
            // the kernel looks up saddr (reverse path) or daddr; with iif (oif) the answer counts only when it is that device
            boolean reverse = flags.contains("saddr");
            Fib.Result r = p.fib().oif(reverse ? p.src() : p.dst(), reverse ? p.dst() : p.src(), flags.contains("mark") ? p.mark() : 0);
            if (!r.known()) return new Val.Unknown("fib " + fib + " (no routes to look up)");
            Optional<String> dev = r.dev();
            if (flags.contains("iif")) dev = dev.filter(d -> d.equals(p.iifname()));
            if (flags.contains("oif")) dev = dev.filter(d -> d.equals(p.oifname()));
            return new Val.Iface(dev);
        }
        return new Val.Unknown("fib " + fib);
    }

    // ---- right side ----

    private Match contains(Val left, JsonNode right, NftRuleset.Rule rule) {
        if (right.isTextual() && right.asText().startsWith("@")) {
            Optional<NftRuleset.NamedSet> s = rules.set(rule.family(), rule.table(), right.asText().substring(1));
            if (s.isEmpty()) return new Match(Tri.UNKNOWN, "no set " + right.asText());
            return any(left, s.get().elements(), rule);
        }
        if (right.has("set")) {
            List<JsonNode> elems = new ArrayList<>();
            right.get("set").forEach(elems::add);
            return any(left, elems, rule);
        }
        if (right.isArray() && left instanceof Val.Flags) {
            List<JsonNode> elems = new ArrayList<>();
            right.forEach(elems::add);
            return any(left, elems, rule);
        }
        return element(left, right, rule);
    }

    private Match any(Val left, List<JsonNode> elems, NftRuleset.Rule rule) {
        String unknown = null;
        for (JsonNode el : elems) {
            Match m = element(left, el.isArray() && !(left instanceof Val.Flags) ? el.get(0) : el, rule);
            if (m.tri == Tri.TRUE) return m;
            if (m.tri == Tri.UNKNOWN) unknown = m.unknown;
        }
        return unknown == null ? Match.FALSE : new Match(Tri.UNKNOWN, unknown);
    }

    /** Does {@code left} equal (or fall inside) one set element / right-hand value? */
    Match element(Val left, JsonNode el, NftRuleset.Rule rule) {
        if (el.has("elem")) return element(left, el.get("elem").path("val"), rule);
        if (el.has("prefix")) {
            if (!(left instanceof Val.Ip ip)) return new Match(Tri.UNKNOWN, "prefix against " + left);
            IpAddress a = IpAddress.parse(el.get("prefix").path("addr").asText());
            if (a.family() != ip.address().family()) return Match.FALSE;
            return Match.of(IpPrefix.of(a, el.get("prefix").path("len").asInt()).contains(ip.address()));
        }
        if (el.has("range")) {
            JsonNode r = el.get("range");
            return Match.of(cmp(left, r.get(0)) >= 0 && cmp(left, r.get(1)) <= 0);
        }
        if (el.has("concat")) {
            if (!(left instanceof Val.Concat c) || c.parts().size() != el.get("concat").size()) return new Match(Tri.UNKNOWN, "concatenation shape");
            for (int i = 0; i < c.parts().size(); i++) {
                Match m = element(c.parts().get(i), el.get("concat").get(i), rule);
                if (m.tri != Tri.TRUE) return m;
            }
            return Match.TRUE;
        }
        if (el.isArray()) {
            List<JsonNode> elems = new ArrayList<>();
            el.forEach(elems::add);
            return any(left, elems, rule);
        }
        return switch (left) {
            case Val.Ip ip -> {
                try {
                    yield Match.of(IpAddress.parse(el.asText()).equals(ip.address()));
                } catch (IllegalArgumentException e) {
                    yield new Match(Tri.UNKNOWN, "address value " + el);
                }
            }
            case Val.Num n -> number(n, el);
            case Val.Str s -> Match.of(wildcard(el.asText(), s.value()));
            case Val.Flags f -> Match.of(f.set().contains(el.asText()));
            case Val.Concat _ -> new Match(Tri.UNKNOWN, "concatenation against " + el);
            case Val.Iface i -> el.isBoolean() ? Match.of(i.name().isPresent() == el.asBoolean())
                    : Match.of(i.name().map(n -> wildcard(el.asText(), n)).orElse(false));
            case Val.Absent _ -> Match.FALSE;
            case Val.Unknown u -> new Match(Tri.UNKNOWN, u.what());
        };
    }

    private static Match number(Val.Num n, JsonNode el) {
        if (el.isNumber()) return Match.of(el.asLong() == n.value());
        String t = el.asText();
        if (t.equals(n.name())) return Match.TRUE;
        if (L4.containsKey(t)) return Match.of(L4.get(t) == n.value());
        if (ICMP_TYPES.containsValue(t) || ICMPV6_TYPES.containsValue(t)) return Match.FALSE;
        try {
            return Match.of(Long.decode(t) == n.value());
        } catch (NumberFormatException e) {
            return new Match(Tri.UNKNOWN, "symbolic value '" + t + "'");
        }
    }

    private static boolean wildcard(String pattern, String value) {
        if (pattern.endsWith("*") && !pattern.endsWith("\\*")) return value.startsWith(pattern.substring(0, pattern.length() - 1));
        return pattern.replace("\\*", "*").equals(value);
    }

    private static Match compare(Val left, JsonNode right, String op) {
        if (!(left instanceof Val.Num) && !(left instanceof Val.Ip)) return new Match(Tri.UNKNOWN, op + " on " + left);
        int c = cmp(left, right);
        return Match.of(switch (op) {
            case "<" -> c < 0;
            case ">" -> c > 0;
            case "<=" -> c <= 0;
            default -> c >= 0;
        });
    }

    private static int cmp(Val left, JsonNode v) {
        return switch (left) {
            case Val.Num n -> Long.compare(n.value(), v.asLong());
            case Val.Ip ip -> ip.address().compareTo(IpAddress.parse(v.asText()));
            default -> Integer.MIN_VALUE;
        };
    }
}
