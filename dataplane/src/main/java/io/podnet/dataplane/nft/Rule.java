package io.podnet.dataplane.nft;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One rule: matches (all must hold), a verdict, and a human comment. It is rendered with a comment
 * {@code "pn:<hash> <comment>"}, the hash covering the rest of the rule (Calico's rule-hash comments): a resync
 * reads the hashes back from {@code nft -j list table} and so notices any rule that was deleted, added or changed
 * out of band without parsing rule expressions.
 * <pre>{@code
 * Rule.of(List.of(Match.saddr(subnet), Match.daddrNot(subnet), Match.daddrNot(MULTICAST_V4)), Verdict.MASQUERADE, "net=pods")
 *   → ip saddr 10.88.0.0/16 ip daddr != 10.88.0.0/16 ip daddr != 224.0.0.0/4 masquerade comment "pn:1a2b3c4d5e6f net=pods"
 * }</pre>
 */
public record Rule(List<Match> matches, Verdict verdict, String comment) {
    /** nft keeps at most 128 bytes of comment; the hash marker takes 16 of them. */
    static final int MAX_COMMENT = 100;
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9 _.:/=,@+\\-]");
    static final String MARK = "pn:";

    public Rule {
        matches = List.copyOf(matches);
        if (verdict == null) throw new IllegalArgumentException("a rule needs a verdict");
        comment = comment == null ? "" : UNSAFE.matcher(comment).replaceAll("_");
        if (comment.length() > MAX_COMMENT) comment = comment.substring(0, MAX_COMMENT);
    }

    public static Rule of(List<Match> matches, Verdict verdict, String comment) {
        return new Rule(matches, verdict, comment);
    }

    /** The rule without its comment: what the hash covers, with the human comment. */
    String body() {
        StringBuilder sb = new StringBuilder();
        for (Match m : matches) sb.append(Match.render(m)).append(' ');
        return sb.append(Verdict.render(verdict)).toString();
    }

    /** 12 hex digits of SHA-256 over body and comment. */
    public String hash() {
        return NftName.sha256(body() + "\n" + comment).substring(0, 12);
    }

    String render() {
        return body() + " comment \"" + MARK + hash() + (comment.isEmpty() ? "" : " " + comment) + "\"";
    }
}
