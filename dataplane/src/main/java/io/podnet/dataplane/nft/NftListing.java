package io.podnet.dataplane.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code nft -j list table FAMILY NAME} (libnftables' JSON schema 1) into the {@link NftObserved} form:
 * chains with hook and rule hashes (from the {@code pn:<hash>} comment marks), sets and verdict maps with their
 * elements in nft's canonical text ({@code 10.0.0.0/8}, {@code 10.0.0.1}, {@code 10.0.0.1-10.0.0.5}, {@code 80}).
 * <p>Why hashes and not the rules themselves: the kernel reports rules in its own normalized form (a {@code /32}
 * without its length, named priorities as numbers, implicit dependencies added), so comparing expressions would
 * need a normalizer per match type that would drift from nft's. A hash mark per rule (Calico's approach) detects
 * every out-of-band deletion, insertion, reordering or edit that drops the comment, and an expression edited
 * while its comment is kept is the one change it misses.
 */
public final class NftListing {
    private static final ObjectMapper JSON = new ObjectMapper();

    private NftListing() {}

    /** The table's content; every entry of other tables is ignored. */
    public static NftObserved parse(String json, String family, String table) throws IOException {
        JsonNode root = JSON.readTree(json).path("nftables");
        if (!root.isArray()) throw new IOException("not nft JSON output (no \"nftables\" array)");
        Map<String, String> hooks = new LinkedHashMap<>();
        Map<String, List<String>> rules = new LinkedHashMap<>();
        Map<String, NftObserved.Set> sets = new TreeMap<>();
        Map<String, NftObserved.MapEntries> maps = new TreeMap<>();
        for (JsonNode item : root) {
            if (item.has("chain")) {
                JsonNode c = item.get("chain");
                if (!ours(c, family, table)) continue;
                String name = c.path("name").asText();
                hooks.put(name, c.has("hook") ? c.path("type").asText() + " " + c.path("hook").asText() + " " + c.path("prio").asInt()
                        + " " + c.path("policy").asText("accept") : "");
                rules.putIfAbsent(name, new ArrayList<>());
            } else if (item.has("rule")) {
                JsonNode r = item.get("rule");
                if (!ours(r, family, table)) continue;
                rules.computeIfAbsent(r.path("chain").asText(), k -> new ArrayList<>()).add(hashOf(r.path("comment").asText("")));
            } else if (item.has("map")) {
                JsonNode m = item.get("map");
                if (!ours(m, family, table)) continue;
                List<String> entries = new ArrayList<>();
                for (JsonNode e : m.path("elem")) entries.add(element(e.get(0)) + " : " + verdict(e.get(1)));
                maps.put(m.path("name").asText(), new NftObserved.MapEntries(m.path("type").asText(), interval(m), entries));
            } else if (item.has("set")) {
                JsonNode s = item.get("set");
                if (!ours(s, family, table)) continue;
                List<String> elements = new ArrayList<>();
                for (JsonNode e : s.path("elem")) elements.add(element(e));
                sets.put(s.path("name").asText(), new NftObserved.Set(s.path("type").asText(), interval(s), elements));
            }
        }
        Map<String, NftObserved.Chain> chains = new TreeMap<>();
        hooks.forEach((name, hook) -> chains.put(name, new NftObserved.Chain(hook, rules.getOrDefault(name, List.of()))));
        return new NftObserved(chains, sets, maps);
    }

    private static boolean ours(JsonNode n, String family, String table) {
        return n.path("family").asText().equals(family) && n.path("table").asText().equals(table);
    }

    private static boolean interval(JsonNode setOrMap) {
        for (JsonNode f : setOrMap.path("flags")) if (f.asText().equals("interval")) return true;
        return false;
    }

    /** The 12-digit hash after {@code pn:}, or {@code ?} for a rule podnet did not write. */
    static String hashOf(String comment) {
        if (!comment.startsWith(Rule.MARK) || comment.length() < Rule.MARK.length() + 12) return "?";
        return comment.substring(Rule.MARK.length(), Rule.MARK.length() + 12);
    }

    static String element(JsonNode e) {
        if (e.isTextual() || e.isNumber()) return e.asText();
        if (e.has("elem")) return element(e.get("elem").path("val"));
        if (e.has("prefix")) return e.get("prefix").path("addr").asText() + "/" + e.get("prefix").path("len").asInt();
        if (e.has("range")) return element(e.get("range").get(0)) + "-" + element(e.get("range").get(1));
        return e.toString();
    }

    static String verdict(JsonNode v) {
        if (v.has("jump")) return "jump " + v.get("jump").path("target").asText();
        if (v.has("goto")) return "goto " + v.get("goto").path("target").asText();
        var names = v.fieldNames();
        return names.hasNext() ? names.next() : v.asText();
    }
}
