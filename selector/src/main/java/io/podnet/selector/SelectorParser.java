package io.podnet.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Recursive descent over the characters of one selector (grammar in {@link io.podnet.selector package docs}).
 * {@code !} binds tighter than {@code &&}, which binds tighter than {@code ||}; runs of {@code !} collapse as in
 * Calico ({@code !!has(a)} is {@code has(a)}). Nesting is bounded ({@link #MAX_DEPTH}) so hostile input cannot
 * exhaust the stack.
 */
final class SelectorParser {
    static final int MAX_DEPTH = 64;

    private final String in;
    private int pos;
    private int depth;

    private SelectorParser(String in) {
        this.in = in;
    }

    static Selector parse(String text) throws SelectorException {
        if (text == null || text.isBlank()) return new Selector.All();
        SelectorParser p = new SelectorParser(text);
        Selector s = p.or();
        p.skipSpace();
        if (p.pos < text.length()) throw p.error("unexpected '" + text.charAt(p.pos) + "' after a complete expression");
        return s;
    }

    private Selector or() throws SelectorException {
        List<Selector> parts = new ArrayList<>();
        parts.add(and());
        while (accept("||")) parts.add(and());
        return parts.size() == 1 ? parts.getFirst() : new Selector.Or(parts);
    }

    private Selector and() throws SelectorException {
        List<Selector> parts = new ArrayList<>();
        parts.add(unary());
        while (accept("&&")) parts.add(unary());
        return parts.size() == 1 ? parts.getFirst() : new Selector.And(parts);
    }

    private Selector unary() throws SelectorException {
        boolean negated = false;
        while (true) {
            skipSpace();
            if (peek('!') && !in.startsWith("!=", pos)) {
                pos++;
                negated = !negated;
            } else {
                break;
            }
        }
        Selector s = primary();
        return negated ? new Selector.Not(s) : s;
    }

    private Selector primary() throws SelectorException {
        skipSpace();
        if (pos >= in.length()) throw error("unexpected end of selector, expected an expression");
        if (accept("(")) {
            if (++depth > MAX_DEPTH) throw error("selector nested deeper than " + MAX_DEPTH);
            Selector s = or();
            if (!accept(")")) throw error("expected ')'");
            depth--;
            return s;
        }
        if (acceptCall("all")) return new Selector.All();
        if (acceptCall("global")) return new Selector.Global();
        int save = pos;
        if (acceptWord("has") && accept("(")) {
            skipSpace();
            String key = key();
            if (!accept(")")) throw error("expected ')' after has(" + key);
            return new Selector.Has(key);
        }
        pos = save; // a label called "has"
        String key = key();
        skipSpace();
        if (accept("==")) return new Selector.Compare(key, Selector.Op.EQ, string());
        if (accept("!=")) return new Selector.Compare(key, Selector.Op.NE, string());
        if (acceptWord("contains")) return new Selector.Compare(key, Selector.Op.CONTAINS, string());
        if (acceptWord("starts")) {
            if (!acceptWord("with")) throw error("expected 'with' after 'starts'");
            return new Selector.Compare(key, Selector.Op.STARTS_WITH, string());
        }
        if (acceptWord("ends")) {
            if (!acceptWord("with")) throw error("expected 'with' after 'ends'");
            return new Selector.Compare(key, Selector.Op.ENDS_WITH, string());
        }
        if (acceptWord("not")) {
            if (!acceptWord("in")) throw error("expected 'in' after 'not'");
            return new Selector.InSet(key, true, set());
        }
        if (acceptWord("in")) return new Selector.InSet(key, false, set());
        throw error("expected an operator (==, !=, in, not in, contains, starts with, ends with) after label " + key);
    }

    private TreeSet<String> set() throws SelectorException {
        skipSpace();
        if (!accept("{")) throw error("expected '{' to start a set");
        TreeSet<String> values = new TreeSet<>();
        skipSpace();
        if (accept("}")) return values;
        do {
            values.add(string());
        } while (accept(","));
        if (!accept("}")) throw error("expected ',' or '}' in a set");
        return values;
    }

    private String string() throws SelectorException {
        skipSpace();
        if (pos >= in.length() || (in.charAt(pos) != '"' && in.charAt(pos) != '\'')) throw error("expected a quoted string");
        char q = in.charAt(pos);
        int end = in.indexOf(q, pos + 1);
        if (end < 0) throw error("unterminated string");
        String v = in.substring(pos + 1, end);
        pos = end + 1;
        return v;
    }

    private String key() throws SelectorException {
        int start = pos;
        while (pos < in.length() && isKeyChar(in.charAt(pos))) pos++;
        if (pos == start) throw error("expected a label name");
        if (pos - start > 512) throw error("label name longer than 512 characters");
        return in.substring(start, pos);
    }

    private static boolean isKeyChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '/' || c == '-';
    }

    /** {@code name()} with optional blanks inside the parentheses, as a whole word. */
    private boolean acceptCall(String name) throws SelectorException {
        int save = pos;
        if (!acceptWord(name)) return false;
        skipSpace();
        if (!accept("(")) {
            pos = save; // a label that happens to be called "all"
            return false;
        }
        skipSpace();
        if (!accept(")")) throw error("expected ')' after " + name + "(");
        return true;
    }

    /** A keyword not followed by a label character (so {@code inx == "a"} is the label {@code inx}). */
    private boolean acceptWord(String word) {
        skipSpace();
        if (!in.startsWith(word, pos)) return false;
        int after = pos + word.length();
        if (after < in.length() && isKeyChar(in.charAt(after))) return false;
        pos = after;
        return true;
    }

    private boolean accept(String token) {
        skipSpace();
        if (!in.startsWith(token, pos)) return false;
        pos += token.length();
        return true;
    }

    private boolean peek(char c) {
        return pos < in.length() && in.charAt(pos) == c;
    }

    private void skipSpace() {
        while (pos < in.length() && (in.charAt(pos) == ' ' || in.charAt(pos) == '\t')) pos++;
    }

    private SelectorException error(String problem) {
        return new SelectorException(in, Math.min(pos, in.length()), problem);
    }
}
