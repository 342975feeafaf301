package io.podnet.dataplane.nft;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The name of a chain, set or map in podnet's table: a letter, then letters, digits and {@code _} with at least
 * one {@code _}, at most {@value #MAX} characters. The {@code _} is what keeps a name from being an nft keyword:
 * nft 1.0 takes neither quoted chain names nor keywords as names ({@code chain fwd} is a syntax error), and no
 * keyword contains {@code _}; every podnet name starts with its producer's prefix ({@code cni_masq_},
 * {@code overlay_}, {@code cnm_}). nft accepts longer names, but these also appear in logs and metrics.
 * {@link #derive} turns free text (a CNI network name such as {@code a-b}) into a name <em>injectively</em>:
 * letters and digits stay, {@code _} becomes {@code __}, {@code .} {@code _d}, {@code -} {@code _h}, any other
 * character {@code _x} and four hex digits; a result longer than {@value #MAX} is cut at a token boundary and
 * ends in {@code _z} and 12 hex digits of the text's SHA-256, a token the escape never produces. So {@code a-b}
 * and {@code a.b} get different chains, and no two texts share a name unless their hashes collide.
 */
public record NftName(String value) implements Comparable<NftName> {
    public static final int MAX = 64;
    private static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*");

    public NftName {
        if (value == null || value.length() > MAX || !VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid nft name \"" + value + "\" (a letter, then letters, digits and at least one _, at most " + MAX + ")");
        }
    }

    public static NftName of(String value) { return new NftName(value); }

    /** {@code prefix} (a valid name itself) followed by the injective escape of {@code text}. */
    public static NftName derive(String prefix, String text) {
        new NftName(prefix);
        StringBuilder sb = new StringBuilder(prefix);
        int[] tokenEnds = new int[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) sb.append(c);
            else if (c == '_') sb.append("__");
            else if (c == '.') sb.append("_d");
            else if (c == '-') sb.append("_h");
            else sb.append("_x").append(String.format("%04x", (int) c));
            tokenEnds[i] = sb.length();
        }
        if (sb.length() <= MAX) return new NftName(sb.toString());
        String hash = "_z" + sha256(text).substring(0, 12);
        int keep = prefix.length();
        for (int end : tokenEnds) {
            if (end + hash.length() > MAX) break;
            keep = end;
        }
        return new NftName(sb.substring(0, keep) + hash);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public int compareTo(NftName o) { return value.compareTo(o.value); }

    @Override
    public String toString() { return value; }
}
