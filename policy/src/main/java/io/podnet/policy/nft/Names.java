package io.podnet.policy.nft;

import java.util.regex.Pattern;

/** What nft accepts as an unquoted table, chain, set or map name, and how user text is made safe for comments. */
public final class Names {
    /** A letter first, then letters, digits and {@code _ . / -}; at most 256 bytes (the kernel's limit). */
    public static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z][a-zA-Z0-9_./-]{0,255}");
    /** The kernel keeps at most 256 bytes of user data (comments); podnet keeps them well under. */
    public static final int MAX_COMMENT = 128;

    private Names() {}

    public static String requireIdentifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) throw new IllegalArgumentException("not an nft identifier: " + name);
        return name;
    }

    /**
     * {@code text} as an nft comment body: printable ASCII only, double quotes replaced by single ones (nft strings
     * have no escapes), cut at {@link #MAX_COMMENT} characters.
     */
    public static String comment(String text) {
        boolean cut = text.length() > MAX_COMMENT;
        int n = cut ? MAX_COMMENT - 1 : text.length();
        StringBuilder sb = new StringBuilder(n + 1);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            sb.append(c == '"' ? '\'' : c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (cut) sb.append('~');
        return sb.toString();
    }
}
