package io.podnet.cli.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A policy routing rule ({@code ip rule}): selectors, then which table to look up (or a terminal action).
 * {@code unsupported} names selectors explain does not evaluate (uidrange, ipproto, ports, l3mdev); such a rule
 * is reported and skipped.
 */
public record RoutingRule(int priority, Optional<IpPrefix> from, Optional<IpPrefix> to, Optional<String> iif,
                          Optional<String> oif, OptionalLong fwmark, long fwmask, boolean not, Action action, int table,
                          String unsupported) {

    public static final int LOCAL = 255;
    public static final int MAIN = 254;
    public static final int DEFAULT = 253;

    /** What a matching rule does. */
    public enum Action { TABLE, BLACKHOLE, UNREACHABLE, PROHIBIT, NOP }

    public RoutingRule {
        if (unsupported == null) unsupported = "";
    }

    /** {@code ip rule add pref P table T} with no selectors. */
    public static RoutingRule table(int priority, int table) {
        return new RoutingRule(priority, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), 0xffffffffL, false, Action.TABLE, table, "");
    }

    /** The kernel's rules in a fresh namespace: local, main, default. */
    public static List<RoutingRule> defaults() {
        return List.of(table(0, LOCAL), table(32766, MAIN), table(32767, DEFAULT));
    }

    /** Does the rule select this packet? {@code src} is null for a locally generated packet whose source is not chosen yet. */
    public boolean matches(IpAddress src, IpAddress dst, String inDev, String outDev, long mark) {
        boolean m = from.map(p -> src != null && p.family() == src.family() && p.contains(src)).orElse(true)
                && to.map(p -> p.family() == dst.family() && p.contains(dst)).orElse(true)
                && iif.map(d -> d.equals(inDev == null || inDev.isEmpty() ? "lo" : inDev)).orElse(true)
                && oif.map(d -> d.equals(outDev)).orElse(true)
                && (fwmark.isEmpty() || (mark & fwmask) == fwmark.getAsLong());
        return not != m;
    }

    public static String tableName(int t) {
        return switch (t) {
            case LOCAL -> "local";
            case MAIN -> "main";
            case DEFAULT -> "default";
            default -> Integer.toString(t);
        };
    }

    public String describe() {
        StringBuilder sb = new StringBuilder(priority + ":");
        if (not) sb.append(" not");
        sb.append(" from ").append(from.map(Object::toString).orElse("all"));
        to.ifPresent(t -> sb.append(" to ").append(t));
        iif.ifPresent(d -> sb.append(" iif ").append(d));
        oif.ifPresent(d -> sb.append(" oif ").append(d));
        fwmark.ifPresent(m -> sb.append(" fwmark 0x").append(Long.toHexString(m)).append("/0x").append(Long.toHexString(fwmask)));
        sb.append(action == Action.TABLE ? " lookup " + tableName(table) : " " + action.name().toLowerCase());
        return sb.toString();
    }

    private static final Set<String> KNOWN = Set.of("priority", "src", "srclen", "dst", "dstlen", "iif", "oif", "fwmark", "fwmask",
            "not", "action", "table", "flags", "protocol", "tos");

    /** Parses {@code ip -j rule show} (and {@code ip -j -6 rule show}) output. */
    public static List<RoutingRule> parseIpJson(String json) throws IOException {
        List<RoutingRule> out = new ArrayList<>();
        for (JsonNode r : new ObjectMapper().readTree(json)) {
            List<String> unknown = new ArrayList<>();
            r.fieldNames().forEachRemaining(f -> {
                if (!KNOWN.contains(f)) unknown.add(f);
            });
            String actionText = r.path("action").asText("");
            Action action = switch (actionText) {
                case "blackhole" -> Action.BLACKHOLE;
                case "unreachable" -> Action.UNREACHABLE;
                case "prohibit" -> Action.PROHIBIT;
                case "nop" -> Action.NOP;
                case "", "to_tbl" -> Action.TABLE;
                default -> {
                    unknown.add("action " + actionText);
                    yield Action.NOP;
                }
            };
            out.add(new RoutingRule(r.path("priority").asInt(), prefix(r, "src", "srclen"), prefix(r, "dst", "dstlen"),
                    Optional.ofNullable(r.path("iif").textValue()), Optional.ofNullable(r.path("oif").textValue()),
                    r.has("fwmark") ? OptionalLong.of(Long.decode(r.get("fwmark").asText())) : OptionalLong.empty(),
                    r.has("fwmask") ? Long.decode(r.get("fwmask").asText()) : 0xffffffffL, r.has("not"), action,
                    parseTable(r.path("table").asText("main")), String.join(", ", unknown)));
        }
        return out;
    }

    private static Optional<IpPrefix> prefix(JsonNode r, String addr, String len) {
        String a = r.path(addr).asText("all");
        if (a.equals("all")) return Optional.empty();
        IpAddress ip = IpAddress.parse(a);
        return Optional.of(IpPrefix.of(ip, r.has(len) ? r.get(len).asInt() : ip.family().bits()));
    }

    static int parseTable(String t) {
        return switch (t) {
            case "local" -> LOCAL;
            case "main" -> MAIN;
            case "default" -> DEFAULT;
            default -> {
                try {
                    yield Integer.parseInt(t);
                } catch (NumberFormatException e) {
                    yield -1;
                }
            }
        };
    }
}
