package io.podnet.selector;

/** A selector that does not parse: what was wrong and at which character (0-based) of the input. */
public final class SelectorException extends Exception {
    private final String selector;
    private final int position;

    public SelectorException(String selector, int position, String problem) {
        super(problem + " at position " + position + " of selector " + quoted(selector));
        this.selector = selector;
        this.position = position;
    }

    /** The text that failed to parse. */
    public String selector() { return selector; }

    /** Where parsing stopped (0-based index into {@link #selector()}). */
    public int position() { return position; }

    private static String quoted(String s) {
        return s.length() > 200 ? "'" + s.substring(0, 200) + "…'" : "'" + s + "'";
    }
}
