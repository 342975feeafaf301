package io.podnet.dataplane.nft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole desired content of one nft table (podnet's {@code table inet podnet}): chains, sets and verdict maps
 * by name. {@link #render()} is the {@code nft -f} script that replaces the table in one transaction
 * ("add table; delete table; table { ... }": it works whether or not the table exists, and the kernel never
 * shows a half-written table); an empty ruleset renders to "add; delete", which removes the table.
 * References are checked here: a rule may only jump to a chain, and look up a set or map, of this ruleset.
 */
public record NftRuleset(String family, String table, Map<NftName, Chain> chains, Map<NftName, NftSet> sets,
                         Map<NftName, NftMap> maps) {
    public static final String FAMILY = "inet";
    public static final String TABLE = "podnet";

    public NftRuleset {
        if (!List.of("inet", "ip", "ip6").contains(family)) throw new IllegalArgumentException("unsupported nft family " + family);
        if (table == null || !table.matches("[A-Za-z][A-Za-z0-9_]{0,63}")) throw new IllegalArgumentException("invalid nft table name " + table);
        chains = java.util.Collections.unmodifiableMap(new TreeMap<>(chains));
        sets = java.util.Collections.unmodifiableMap(new TreeMap<>(sets));
        maps = java.util.Collections.unmodifiableMap(new TreeMap<>(maps));
        checkReferences(chains, sets, maps);
    }

    /** {@code table inet podnet} holding {@code chains}, {@code sets} and {@code maps}. */
    public static NftRuleset of(Collection<Chain> chains, Collection<NftSet> sets, Collection<NftMap> maps) {
        Map<NftName, Chain> c = new TreeMap<>();
        for (Chain x : chains) if (c.put(x.name(), x) != null) throw new IllegalArgumentException("two chains named " + x.name());
        Map<NftName, NftSet> s = new TreeMap<>();
        for (NftSet x : sets) if (s.put(x.name(), x) != null) throw new IllegalArgumentException("two sets named " + x.name());
        Map<NftName, NftMap> m = new TreeMap<>();
        for (NftMap x : maps) if (m.put(x.name(), x) != null || s.containsKey(x.name())) throw new IllegalArgumentException("two sets or maps named " + x.name());
        return new NftRuleset(FAMILY, TABLE, c, s, m);
    }

    public static NftRuleset empty() { return of(List.of(), List.of(), List.of()); }

    public boolean isEmpty() { return chains.isEmpty() && sets.isEmpty() && maps.isEmpty(); }

    private static void checkReferences(Map<NftName, Chain> chains, Map<NftName, NftSet> sets, Map<NftName, NftMap> maps) {
        List<String> problems = new ArrayList<>();
        for (Chain c : chains.values()) {
            for (Rule r : c.rules()) {
                if (r.verdict() instanceof Verdict.Jump j && !chains.containsKey(j.chain())) problems.add(c.name() + " jumps to missing chain " + j.chain());
                if (r.verdict() instanceof Verdict.Vmap v && !maps.containsKey(v.map())) problems.add(c.name() + " uses missing map @" + v.map());
                for (Match m : r.matches()) {
                    switch (m) {
                        case Match.AddrInSet s when !sets.containsKey(s.set()) -> problems.add(c.name() + " uses missing set @" + s.set());
                        default -> { }
                    }
                }
            }
        }
        for (NftMap m : maps.values()) {
            for (Verdict v : m.elements().values()) {
                if (v instanceof Verdict.Jump j && !chains.containsKey(j.chain())) problems.add("map " + m.name() + " jumps to missing chain " + j.chain());
            }
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException("invalid nft ruleset: " + String.join("; ", problems));
    }

    /** The {@code nft -f} script that makes the kernel's table exactly this ruleset. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("add table ").append(family).append(' ').append(table).append('\n');
        sb.append("delete table ").append(family).append(' ').append(table).append('\n');
        if (isEmpty()) return sb.toString();
        sb.append("table ").append(family).append(' ').append(table).append(" {\n");
        for (NftSet s : sets.values()) {
            sb.append("  set ").append(s.name()).append(" {\n    type ").append(s.type().nft).append(";\n");
            if (s.interval()) sb.append("    flags interval;\n");
            if (!s.elements().isEmpty()) sb.append("    elements = { ").append(String.join(", ", s.elements())).append(" }\n");
            sb.append("  }\n");
        }
        for (NftMap m : maps.values()) {
            sb.append("  map ").append(m.name()).append(" {\n    type ").append(m.keyType().nft).append(" : verdict;\n");
            if (m.interval()) sb.append("    flags interval;\n");
            if (!m.elements().isEmpty()) {
                List<String> e = new ArrayList<>();
                m.elements().forEach((k, v) -> e.add(k + " : " + Verdict.render(v)));
                sb.append("    elements = { ").append(String.join(", ", e)).append(" }\n");
            }
            sb.append("  }\n");
        }
        for (Chain c : chains.values()) {
            sb.append("  chain ").append(c.name()).append(" {\n");
            c.hook().ifPresent(h -> sb.append("    ").append(h.render()).append('\n'));
            for (Rule r : c.rules()) sb.append("    ").append(r.render()).append('\n');
            sb.append("  }\n");
        }
        return sb.append("}\n").toString();
    }

    /** What {@link NftListing} reads back from a kernel that holds this ruleset. */
    public NftObserved observed() {
        Map<String, NftObserved.Chain> c = new TreeMap<>();
        chains.values().forEach(x -> c.put(x.name().value(), new NftObserved.Chain(x.hook().map(Hook::canonical).orElse(""),
                x.rules().stream().map(Rule::hash).toList())));
        Map<String, NftObserved.Set> s = new TreeMap<>();
        sets.values().forEach(x -> s.put(x.name().value(), new NftObserved.Set(x.type().nft, x.interval(), x.elements())));
        Map<String, NftObserved.MapEntries> m = new TreeMap<>();
        maps.values().forEach(x -> {
            List<String> e = new ArrayList<>();
            x.elements().forEach((k, v) -> e.add(k + " : " + Verdict.render(v)));
            m.put(x.name().value(), new NftObserved.MapEntries(x.keyType().nft, x.interval(), e));
        });
        return new NftObserved(c, s, m);
    }
}
