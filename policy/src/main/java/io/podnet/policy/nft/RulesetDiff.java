package io.podnet.policy.nft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.SequencedSet;

/**
 * What turns one {@link Ruleset} into another, as nft commands: whole tables created or deleted, and inside a
 * table that exists on both sides only the parts that differ — set and map elements added or deleted, chains
 * added, rewritten ({@code flush chain} + its rules) or deleted. {@link #render()} orders the commands so one
 * {@code nft -f} transaction is valid at every step. A table whose set, map or chain <em>definitions</em> changed
 * (type, flags, hook, comment) is replaced whole, which is rare: names encode what a set holds.
 * <p>Complicating factors: interval sets refuse an element overlapping one they hold, so deletions go before
 * additions; a chain can only be deleted once nothing jumps to it and it is empty, so rewrites and flushes
 * precede deletions; verdict-map elements that point at new chains need those chains declared first.
 * The diff is only valid against exactly {@code from}: if the kernel's tables were edited out of band, the
 * transaction fails as a whole (nothing changes) and the applier should fall back to {@link Ruleset#renderReplace()}.
 */
public final class RulesetDiff {
    private final List<Table> replaced;
    private final List<String> deleted;
    private final List<TableDelta> deltas;

    private RulesetDiff(List<Table> replaced, List<String> deleted, List<TableDelta> deltas) {
        this.replaced = List.copyOf(replaced);
        this.deleted = List.copyOf(deleted);
        this.deltas = List.copyOf(deltas);
    }

    /** The changes from {@code from} to {@code to}. */
    public static RulesetDiff between(Ruleset from, Ruleset to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        List<Table> replaced = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        List<TableDelta> deltas = new ArrayList<>();
        for (String id : from.tables().keySet()) if (!to.tables().containsKey(id)) deleted.add(id);
        for (Table t : to.tables().values()) {
            Table old = from.tables().get(t.id());
            if (old == null) {
                replaced.add(t);
            } else if (!old.equals(t)) {
                TableDelta d = TableDelta.of(old, t);
                if (d == null) replaced.add(t);
                else deltas.add(d);
            }
        }
        return new RulesetDiff(replaced, deleted, deltas);
    }

    public boolean isEmpty() {
        return replaced.isEmpty() && deleted.isEmpty() && deltas.isEmpty();
    }

    /** Tables written whole (new, or with changed definitions). */
    public List<Table> replacedTables() { return replaced; }

    public List<String> deletedTables() { return deleted; }

    public List<TableDelta> deltas() { return deltas; }

    /** One {@code nft -f} transaction; empty text when there is nothing to do. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (String id : deleted) sb.append("delete table ").append(id).append('\n');
        for (Table t : replaced) {
            sb.append("add table ").append(t.id()).append('\n');
            sb.append("delete table ").append(t.id()).append('\n');
            NftText.table(sb, t);
        }
        for (TableDelta d : deltas) d.render(sb);
        return sb.toString();
    }

    /** Counts of what the transaction touches (tables replaced whole count their chains as rewritten). */
    public Summary summary() {
        int added = 0, changed = 0, removed = 0, rules = 0, elemAdd = 0, elemDel = 0;
        for (Table t : replaced) {
            changed += t.chains().size();
            rules += t.ruleCount();
        }
        for (TableDelta d : deltas) {
            added += d.chainsAdded.size();
            changed += d.chainsChanged.size();
            removed += d.chainsRemoved.size();
            for (Chain c : d.chainsAdded) rules += c.rules().size();
            for (Chain c : d.chainsChanged) rules += c.rules().size();
            for (var e : d.elementsAdded.values()) elemAdd += e.size();
            for (var e : d.mapElementsAdded.values()) elemAdd += e.size();
            for (var e : d.elementsDeleted.values()) elemDel += e.size();
            for (var e : d.mapElementsDeleted.values()) elemDel += e.size();
        }
        return new Summary(replaced.size(), deleted.size(), added, changed, removed, rules, elemAdd, elemDel);
    }

    /** Sizes of a diff. */
    public record Summary(int tablesReplaced, int tablesDeleted, int chainsAdded, int chainsRewritten, int chainsDeleted,
                          int rulesWritten, int elementsAdded, int elementsDeleted) {
        @Override
        public String toString() {
            return "tables replaced " + tablesReplaced + ", deleted " + tablesDeleted + "; chains added " + chainsAdded
                    + ", rewritten " + chainsRewritten + ", deleted " + chainsDeleted + "; rules written " + rulesWritten
                    + "; elements added " + elementsAdded + ", deleted " + elementsDeleted;
        }
    }

    /** The in-place changes to one table. */
    public static final class TableDelta {
        private final String id;
        private final List<NftSet> setsAdded = new ArrayList<>();
        private final List<String> setsDeleted = new ArrayList<>();
        private final List<NftMap> mapsAdded = new ArrayList<>();
        private final List<String> mapsDeleted = new ArrayList<>();
        private final Map<String, SequencedSet<String>> elementsAdded = new LinkedHashMap<>();
        private final Map<String, SequencedSet<String>> elementsDeleted = new LinkedHashMap<>();
        private final Map<String, SequencedMap<String, Verdict>> mapElementsAdded = new LinkedHashMap<>();
        private final Map<String, SequencedSet<String>> mapElementsDeleted = new LinkedHashMap<>();
        private final List<Chain> chainsAdded = new ArrayList<>();
        private final List<Chain> chainsChanged = new ArrayList<>();
        private final List<String> chainsRemoved = new ArrayList<>();

        private TableDelta(String id) {
            this.id = id;
        }

        /** The delta, or null when the table must be replaced whole. */
        static TableDelta of(Table from, Table to) {
            if (!from.comment().equals(to.comment())) return null;
            TableDelta d = new TableDelta(to.id());
            for (NftSet s : to.sets().values()) {
                NftSet old = from.sets().get(s.name());
                if (old == null) {
                    d.setsAdded.add(s);
                    put(d.elementsAdded, s.name(), s.elements());
                } else if (!old.sameDefinition(s)) {
                    return null;
                } else if (!old.equals(s)) {
                    put(d.elementsAdded, s.name(), minus(s.elements(), old.elements()));
                    put(d.elementsDeleted, s.name(), minus(old.elements(), s.elements()));
                }
            }
            for (String name : from.sets().keySet()) if (!to.sets().containsKey(name)) d.setsDeleted.add(name);
            for (NftMap m : to.maps().values()) {
                NftMap old = from.maps().get(m.name());
                if (old == null) {
                    d.mapsAdded.add(m);
                    putMap(d.mapElementsAdded, m.name(), m.elements());
                } else if (!old.sameDefinition(m)) {
                    return null;
                } else if (!old.equals(m)) {
                    SequencedMap<String, Verdict> add = new LinkedHashMap<>();
                    SequencedSet<String> del = new LinkedHashSet<>();
                    m.elements().forEach((k, v) -> {
                        Verdict was = old.elements().get(k);
                        if (!v.equals(was)) add.put(k, v);
                        if (was != null && !v.equals(was)) del.add(k);
                    });
                    for (String k : old.elements().keySet()) if (!m.elements().containsKey(k)) del.add(k);
                    putMap(d.mapElementsAdded, m.name(), add);
                    put(d.mapElementsDeleted, m.name(), del);
                }
            }
            for (String name : from.maps().keySet()) if (!to.maps().containsKey(name)) d.mapsDeleted.add(name);
            for (Chain c : to.chains().values()) {
                Chain old = from.chains().get(c.name());
                if (old == null) d.chainsAdded.add(c);
                else if (!old.sameDefinition(c)) return null;
                else if (!old.rules().equals(c.rules())) d.chainsChanged.add(c);
            }
            for (String name : from.chains().keySet()) if (!to.chains().containsKey(name)) d.chainsRemoved.add(name);
            return d;
        }

        public String tableId() { return id; }

        public List<Chain> chainsAdded() { return List.copyOf(chainsAdded); }

        public List<Chain> chainsChanged() { return List.copyOf(chainsChanged); }

        public List<String> chainsRemoved() { return List.copyOf(chainsRemoved); }

        /** Set name → elements to add (new sets included). */
        public Map<String, SequencedSet<String>> elementsAdded() { return Map.copyOf(elementsAdded); }

        public Map<String, SequencedSet<String>> elementsDeleted() { return Map.copyOf(elementsDeleted); }

        public Map<String, SequencedMap<String, Verdict>> mapElementsAdded() { return Map.copyOf(mapElementsAdded); }

        public Map<String, SequencedSet<String>> mapElementsDeleted() { return Map.copyOf(mapElementsDeleted); }

        void render(StringBuilder sb) {
            for (NftSet s : setsAdded) sb.append("add set ").append(id).append(' ').append(s.name()).append(' ').append(NftText.inlineSet(s)).append('\n');
            for (NftMap m : mapsAdded) sb.append("add map ").append(id).append(' ').append(m.name()).append(' ').append(NftText.inlineMap(m)).append('\n');
            for (Chain c : chainsAdded) sb.append("add chain ").append(id).append(' ').append(c.name()).append(NftText.inlineChain(c)).append('\n');
            elementsDeleted.forEach((set, els) -> elements(sb, "delete", set, els));
            mapElementsDeleted.forEach((map, keys) -> elements(sb, "delete", map, keys));
            elementsAdded.forEach((set, els) -> elements(sb, "add", set, els));
            mapElementsAdded.forEach((map, els) -> {
                if (!els.isEmpty()) sb.append("add element ").append(id).append(' ').append(map).append(" { ").append(NftText.mapElements(els)).append(" }\n");
            });
            for (Chain c : chainsChanged) {
                sb.append("flush chain ").append(id).append(' ').append(c.name()).append('\n');
                rules(sb, c);
            }
            for (Chain c : chainsAdded) rules(sb, c);
            for (String c : chainsRemoved) sb.append("flush chain ").append(id).append(' ').append(c).append('\n');
            for (String c : chainsRemoved) sb.append("delete chain ").append(id).append(' ').append(c).append('\n');
            for (String m : mapsDeleted) sb.append("delete map ").append(id).append(' ').append(m).append('\n');
            for (String s : setsDeleted) sb.append("delete set ").append(id).append(' ').append(s).append('\n');
        }

        private void elements(StringBuilder sb, String verb, String set, SequencedSet<String> els) {
            if (els.isEmpty()) return;
            sb.append(verb).append(" element ").append(id).append(' ').append(set).append(" { ").append(String.join(", ", els)).append(" }\n");
        }

        private void rules(StringBuilder sb, Chain c) {
            for (NftRule r : c.rules()) sb.append("add rule ").append(id).append(' ').append(c.name()).append(' ').append(r.render()).append('\n');
        }

        private static void put(Map<String, SequencedSet<String>> m, String k, SequencedSet<String> v) {
            if (!v.isEmpty()) m.put(k, v);
        }

        private static void putMap(Map<String, SequencedMap<String, Verdict>> m, String k, SequencedMap<String, Verdict> v) {
            if (!v.isEmpty()) m.put(k, v);
        }

        private static SequencedSet<String> minus(SequencedSet<String> a, SequencedSet<String> b) {
            SequencedSet<String> out = new LinkedHashSet<>();
            for (String s : a) if (!b.contains(s)) out.add(s);
            return out;
        }
    }
}
