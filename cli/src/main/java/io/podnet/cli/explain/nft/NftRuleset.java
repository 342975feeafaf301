package io.podnet.cli.explain.nft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One namespace's nftables ruleset as {@code nft -j list ruleset} prints it (libnftables-json(5)): tables,
 * chains (base chains with their hook, priority and policy), rules (their expressions kept as JSON, which the
 * {@link NftEvaluator} interprets) and named sets and maps. Optionally each rule's text from
 * {@code nft -a list ruleset}, keyed by family, table and handle, so explanations quote rules as the user
 * wrote them.
 */
public record NftRuleset(List<Chain> chains, Map<String, NamedSet> sets, Map<String, String> ruleText) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public NftRuleset {
        chains = List.copyOf(chains);
        sets = Map.copyOf(sets);
        ruleText = Map.copyOf(ruleText);
    }

    public static final NftRuleset EMPTY = new NftRuleset(List.of(), Map.of(), Map.of());

    /** A base chain's registration: {@code type filter hook forward priority 0; policy drop;}. */
    public record Hook(String type, String hook, int priority, String policy) {}

    /** A chain; {@code hook} is empty for a regular (jump target) chain. */
    public record Chain(String family, String table, String name, Optional<Hook> hook, List<Rule> rules) {
        public Chain {
            rules = List.copyOf(rules);
        }

        public String label() { return family + " " + table + " " + name; }
    }

    /** A rule: its handle, comment and expression list. */
    public record Rule(String family, String table, String chain, long handle, Optional<String> comment, List<JsonNode> expr) {
        public Rule {
            expr = List.copyOf(expr);
        }
    }

    /** A named set or map; a map's elements are {@code [key, value]} pairs. */
    public record NamedSet(String family, String table, String name, boolean map, List<JsonNode> elements) {
        public NamedSet {
            elements = List.copyOf(elements);
        }
    }

    static String key(String family, String table, String name) { return family + "/" + table + "/" + name; }

    public Optional<Chain> chain(String family, String table, String name) {
        return chains.stream().filter(c -> c.family.equals(family) && c.table.equals(table) && c.name.equals(name)).findFirst();
    }

    public Optional<NamedSet> set(String family, String table, String name) {
        return Optional.ofNullable(sets.get(key(family, table, name)));
    }

    /** The base chains registered at {@code hook} for an IPv4 ({@code ip} + {@code inet}) or IPv6 packet, in priority order. */
    public List<Chain> baseChains(String hook, boolean ipv6) {
        String fam = ipv6 ? "ip6" : "ip";
        return chains.stream()
                .filter(c -> c.hook.isPresent() && c.hook.get().hook.equals(hook) && (c.family.equals(fam) || c.family.equals("inet")))
                .sorted(Comparator.comparingInt(c -> c.hook.get().priority))
                .toList();
    }

    /** The rule's text from {@code nft -a list ruleset}, if that was captured. */
    public Optional<String> text(Rule r) {
        return Optional.ofNullable(ruleText.get(r.family + "/" + r.table + "/" + r.handle));
    }

    /** Parses {@code nft -j list ruleset} output. */
    public static NftRuleset parse(String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        Map<String, Chain> chains = new java.util.LinkedHashMap<>();
        Map<String, List<Rule>> rules = new HashMap<>();
        Map<String, NamedSet> sets = new HashMap<>();
        for (JsonNode item : root.path("nftables")) {
            if (item.has("chain")) {
                JsonNode c = item.get("chain");
                Optional<Hook> hook = c.has("hook") ? Optional.of(new Hook(c.path("type").asText("filter"), c.get("hook").asText(),
                        c.path("prio").asInt(0), c.path("policy").asText("accept"))) : Optional.empty();
                String k = key(c.path("family").asText(), c.path("table").asText(), c.path("name").asText());
                chains.put(k, new Chain(c.path("family").asText(), c.path("table").asText(), c.path("name").asText(), hook, List.of()));
            } else if (item.has("rule")) {
                JsonNode r = item.get("rule");
                List<JsonNode> expr = new ArrayList<>();
                r.path("expr").forEach(expr::add);
                String k = key(r.path("family").asText(), r.path("table").asText(), r.path("chain").asText());
                rules.computeIfAbsent(k, x -> new ArrayList<>()).add(new Rule(r.path("family").asText(), r.path("table").asText(),
                        r.path("chain").asText(), r.path("handle").asLong(), Optional.ofNullable(r.path("comment").textValue()), expr));
            } else if (item.has("set") || item.has("map")) {
                boolean map = item.has("map");
                JsonNode s = map ? item.get("map") : item.get("set");
                List<JsonNode> elems = new ArrayList<>();
                s.path("elem").forEach(elems::add);
                String k = key(s.path("family").asText(), s.path("table").asText(), s.path("name").asText());
                sets.put(k, new NamedSet(s.path("family").asText(), s.path("table").asText(), s.path("name").asText(), map, elems));
            }
        }
        List<Chain> out = new ArrayList<>();
        for (var e : chains.entrySet()) {
            Chain c = e.getValue();
            out.add(new Chain(c.family, c.table, c.name, c.hook, rules.getOrDefault(e.getKey(), List.of())));
        }
        return new NftRuleset(out, sets, Map.of());
    }

    private static final Pattern TABLE = Pattern.compile("^table (\\S+) (\\S+) \\{");
    private static final Pattern HANDLE = Pattern.compile("^\\s*(.*?)\\s*# handle (\\d+)$");

    /** This ruleset with rule texts taken from {@code nft -a list ruleset} output. */
    public NftRuleset withText(String annotated) {
        Map<String, String> text = new HashMap<>();
        String family = "";
        String table = "";
        boolean inChain = false;
        for (String line : annotated.split("\n")) {
            Matcher t = TABLE.matcher(line);
            if (t.find()) {
                family = t.group(1);
                table = t.group(2);
                continue;
            }
            String s = line.strip();
            if (s.startsWith("chain ") || s.startsWith("set ") || s.startsWith("map ")) {
                inChain = s.startsWith("chain ");
                continue;
            }
            Matcher h = HANDLE.matcher(line);
            if (inChain && h.find() && !h.group(1).isEmpty()) text.put(family + "/" + table + "/" + h.group(2), h.group(1));
        }
        return new NftRuleset(chains, sets, text);
    }
}
