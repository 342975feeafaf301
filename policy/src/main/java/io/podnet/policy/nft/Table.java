package io.podnet.policy.nft;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One nft table: sets, verdict maps and chains, each keyed by name. Six components because nft has these
 * six parts; build one with {@link #builder}.
 */
public record Table(Family family, String name, String comment, SortedMap<String, NftSet> sets,
                    SortedMap<String, NftMap> maps, SortedMap<String, Chain> chains) {
    public Table {
        Objects.requireNonNull(family, "family");
        Names.requireIdentifier(name);
        comment = comment == null ? "" : Names.comment(comment);
        sets = Collections.unmodifiableSortedMap(new TreeMap<>(sets));
        maps = Collections.unmodifiableSortedMap(new TreeMap<>(maps));
        chains = Collections.unmodifiableSortedMap(new TreeMap<>(chains));
    }

    public static Builder builder(Family family, String name) {
        return new Builder(family, name);
    }

    /** {@code inet podnet-policy}: how commands address the table. */
    public String id() {
        return family.text() + " " + name;
    }

    public int ruleCount() {
        return chains.values().stream().mapToInt(c -> c.rules().size()).sum();
    }

    /** Collects the parts of a table; a second part with a taken name is an error (the compiler names uniquely). */
    public static final class Builder {
        private final Family family;
        private final String name;
        private String comment = "";
        private final SortedMap<String, NftSet> sets = new TreeMap<>();
        private final SortedMap<String, NftMap> maps = new TreeMap<>();
        private final SortedMap<String, Chain> chains = new TreeMap<>();

        private Builder(Family family, String name) {
            this.family = family;
            this.name = name;
        }

        public Builder comment(String c) {
            comment = c;
            return this;
        }

        public Builder set(NftSet s) {
            if (sets.putIfAbsent(s.name(), s) != null || maps.containsKey(s.name())) throw new IllegalArgumentException("duplicate set " + s.name());
            return this;
        }

        public Builder map(NftMap m) {
            if (maps.putIfAbsent(m.name(), m) != null || sets.containsKey(m.name())) throw new IllegalArgumentException("duplicate map " + m.name());
            return this;
        }

        public Builder chain(Chain c) {
            if (chains.putIfAbsent(c.name(), c) != null) throw new IllegalArgumentException("duplicate chain " + c.name());
            return this;
        }

        public boolean hasSet(String setName) {
            return sets.containsKey(setName);
        }

        public Table build() {
            return new Table(family, name, comment, sets, maps, chains);
        }
    }
}
