package io.podnet.policy.nft;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/** The tables podnet owns, keyed by {@link Table#id()} ({@code "inet podnet-policy"}); a value, compared by content. */
public record Ruleset(SortedMap<String, Table> tables) {
    public static final Ruleset EMPTY = new Ruleset(new TreeMap<>());

    public Ruleset {
        tables = Collections.unmodifiableSortedMap(new TreeMap<>(tables));
    }

    public static Ruleset of(List<Table> tables) {
        SortedMap<String, Table> m = new TreeMap<>();
        for (Table t : tables) {
            if (m.put(t.id(), t) != null) throw new IllegalArgumentException("duplicate table " + t.id());
        }
        return new Ruleset(m);
    }

    public Optional<Table> table(Family family, String name) {
        return Optional.ofNullable(tables.get(family.text() + " " + name));
    }

    /** The declarative text ({@code table inet t { ... }} per table), for {@code nft -f} where the tables do not exist. */
    public String render() {
        return NftText.render(this);
    }

    /**
     * An atomic full replacement: per table {@code add table; delete table;} and then its declaration, so
     * {@code nft -f} replaces whatever state the tables were in (or creates them) in one transaction.
     */
    public String renderReplace() {
        return NftText.renderReplace(this);
    }

    /** Sizes, for logs and benchmarks. */
    public Stats stats() {
        int chains = 0, rules = 0, sets = 0, setElements = 0, maps = 0, mapElements = 0;
        for (Table t : tables.values()) {
            chains += t.chains().size();
            rules += t.ruleCount();
            sets += t.sets().size();
            for (NftSet s : t.sets().values()) setElements += s.elements().size();
            maps += t.maps().size();
            for (NftMap m : t.maps().values()) mapElements += m.elements().size();
        }
        return new Stats(tables.size(), chains, rules, sets, setElements, maps, mapElements);
    }

    /** Counts of a ruleset's parts. */
    public record Stats(int tables, int chains, int rules, int sets, int setElements, int maps, int mapElements) {
        public Map<String, Integer> asMap() {
            return Map.of("tables", tables, "chains", chains, "rules", rules, "sets", sets, "setElements", setElements,
                    "maps", maps, "mapElements", mapElements);
        }

        @Override
        public String toString() {
            return tables + " tables, " + chains + " chains, " + rules + " rules, " + sets + " sets (" + setElements
                    + " elements), " + maps + " verdict maps (" + mapElements + " elements)";
        }
    }
}
