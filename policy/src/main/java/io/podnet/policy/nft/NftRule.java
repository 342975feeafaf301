package io.podnet.policy.nft;

import java.util.List;
import java.util.Objects;

/**
 * One rule: match expressions and statements in nft syntax ({@code ip saddr @s}, {@code tcp dport { 80, 443 }},
 * {@code log prefix "x "}), a verdict and an optional comment. Expressions are kept as text: the compiler is the
 * only producer and renders them in one canonical spelling, so equal rules have equal text.
 */
public record NftRule(List<String> exprs, Verdict verdict, String comment) {
    public NftRule {
        exprs = List.copyOf(exprs);
        Objects.requireNonNull(verdict, "verdict");
        comment = comment == null ? "" : Names.comment(comment);
        if (exprs.isEmpty() && verdict instanceof Verdict.Continue) throw new IllegalArgumentException("a rule needs an expression or a verdict");
    }

    public static NftRule of(Verdict verdict, String... exprs) {
        return new NftRule(List.of(exprs), verdict, "");
    }

    public NftRule withComment(String c) {
        return new NftRule(exprs, verdict, c);
    }

    /** The rule as it appears inside a chain block or after {@code add rule <family> <table> <chain>}. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (String e : exprs) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(e);
        }
        if (!verdict.text().isEmpty()) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(verdict.text());
        }
        if (!comment.isEmpty()) sb.append(" comment \"").append(comment).append('"');
        return sb.toString();
    }

    @Override public String toString() { return render(); }
}
