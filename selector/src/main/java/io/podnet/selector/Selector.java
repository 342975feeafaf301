package io.podnet.selector;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A parsed Calico label selector: a closed tree of nodes, evaluated against a label map.
 * <pre>{@code
 * Selector s = Selector.parse("role == 'db' && !has(canary) || zone in {'a', 'b'}");
 * s.matches(Map.of("role", "db"));     // true
 * s.toString();                         // ((role == "db" && !has(canary)) || zone in {"a", "b"})
 * }</pre>
 * {@link #toString()} is canonical: two selectors that parse to equal trees print the same text, and the text
 * parses back to an equal tree. Records compare by value, so a selector can key a map (e.g. one nft set per
 * distinct selector).
 */
public sealed interface Selector {

    /** Label keys as Calico's tokenizer accepts them. */
    Pattern KEY = Pattern.compile("[a-zA-Z0-9_./-]{1,512}");

    /** Parses {@code text}; blank text is {@link All}. */
    static Selector parse(String text) throws SelectorException {
        return SelectorParser.parse(text);
    }

    /** True if the labels satisfy this selector. */
    boolean matches(Map<String, String> labels);

    /** Every label key the selector reads (for indexing: a label change elsewhere cannot change the result). */
    default SortedSet<String> labelKeys() {
        SortedSet<String> keys = new TreeSet<>();
        collectKeys(this, keys);
        return Collections.unmodifiableSortedSet(keys);
    }

    private static void collectKeys(Selector s, Set<String> out) {
        switch (s) {
            case All a -> { }
            case Global g -> { }
            case Has h -> out.add(h.key());
            case Compare c -> out.add(c.key());
            case InSet i -> out.add(i.key());
            case Not n -> collectKeys(n.operand(), out);
            case And a -> a.operands().forEach(o -> collectKeys(o, out));
            case Or o -> o.operands().forEach(x -> collectKeys(x, out));
        }
    }

    /** Conjunction of {@code parts} (flattened; a single part is returned as is; none is {@link All}). */
    static Selector and(List<Selector> parts) {
        return parts.isEmpty() ? new All() : parts.size() == 1 ? parts.getFirst() : new And(parts);
    }

    /** {@code all()}: matches everything. */
    record All() implements Selector {
        @Override public boolean matches(Map<String, String> labels) { return true; }
        @Override public String toString() { return "all()"; }
    }

    /**
     * {@code global()}: in a {@code namespaceSelector}, selects non-namespaced resources (host endpoints,
     * global network sets). As a label predicate it matches everything, as Calico evaluates it; the caller that
     * knows which resources are global applies the restriction.
     */
    record Global() implements Selector {
        @Override public boolean matches(Map<String, String> labels) { return true; }
        @Override public String toString() { return "global()"; }
    }

    /** {@code has(key)}: the label is present, whatever its value. */
    record Has(String key) implements Selector {
        public Has { checkKey(key); }
        @Override public boolean matches(Map<String, String> labels) { return labels.containsKey(key); }
        @Override public String toString() { return "has(" + key + ")"; }
    }

    /** The binary string operators; {@link #NE} is the only one that matches an absent label. */
    enum Op {
        EQ("=="), NE("!="), CONTAINS("contains"), STARTS_WITH("starts with"), ENDS_WITH("ends with");

        private final String text;

        Op(String text) { this.text = text; }

        public String text() { return text; }
    }

    /** {@code key OP "value"}. */
    record Compare(String key, Op op, String value) implements Selector {
        public Compare {
            checkKey(key);
            Objects.requireNonNull(op, "op");
            checkValue(value);
        }

        @Override
        public boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            if (v == null) return op == Op.NE;
            return switch (op) {
                case EQ -> v.equals(value);
                case NE -> !v.equals(value);
                case CONTAINS -> v.contains(value);
                case STARTS_WITH -> v.startsWith(value);
                case ENDS_WITH -> v.endsWith(value);
            };
        }

        @Override public String toString() { return key + " " + op.text() + " " + quote(value); }
    }

    /** {@code key in {...}} or, negated, {@code key not in {...}} (which matches an absent label). Values sorted. */
    record InSet(String key, boolean negated, SortedSet<String> values) implements Selector {
        public InSet {
            checkKey(key);
            values.forEach(Selector::checkValue);
            values = Collections.unmodifiableSortedSet(new TreeSet<>(values));
        }

        @Override
        public boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            if (v == null) return negated;
            return values.contains(v) != negated;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(key).append(negated ? " not in {" : " in {");
            String sep = "";
            for (String v : values) {
                sb.append(sep).append(quote(v));
                sep = ", ";
            }
            return sb.append('}').toString();
        }
    }

    /** {@code !operand}. */
    record Not(Selector operand) implements Selector {
        public Not { Objects.requireNonNull(operand, "operand"); }
        @Override public boolean matches(Map<String, String> labels) { return !operand.matches(labels); }
        @Override public String toString() { return "!" + operand; }
    }

    /** {@code a && b && ...} (two or more operands). */
    record And(List<Selector> operands) implements Selector {
        public And {
            operands = List.copyOf(operands);
            if (operands.size() < 2) throw new IllegalArgumentException("&& needs two or more operands");
        }

        @Override
        public boolean matches(Map<String, String> labels) {
            for (Selector s : operands) if (!s.matches(labels)) return false;
            return true;
        }

        @Override public String toString() { return join(operands, " && "); }
    }

    /** {@code a || b || ...} (two or more operands). */
    record Or(List<Selector> operands) implements Selector {
        public Or {
            operands = List.copyOf(operands);
            if (operands.size() < 2) throw new IllegalArgumentException("|| needs two or more operands");
        }

        @Override
        public boolean matches(Map<String, String> labels) {
            for (Selector s : operands) if (s.matches(labels)) return true;
            return false;
        }

        @Override public String toString() { return join(operands, " || "); }
    }

    private static String join(List<Selector> operands, String sep) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < operands.size(); i++) {
            if (i > 0) sb.append(sep);
            sb.append(operands.get(i));
        }
        return sb.append(')').toString();
    }

    /** Double quotes unless the value holds one (the language has no escapes; a value cannot hold both). */
    private static String quote(String v) {
        return v.indexOf('"') >= 0 ? "'" + v + "'" : "\"" + v + "\"";
    }

    private static void checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) throw new IllegalArgumentException("invalid label key: " + key);
    }

    private static void checkValue(String value) {
        Objects.requireNonNull(value, "value");
        if (value.indexOf('"') >= 0 && value.indexOf('\'') >= 0) {
            throw new IllegalArgumentException("a selector value cannot hold both quote characters: " + value);
        }
    }
}
