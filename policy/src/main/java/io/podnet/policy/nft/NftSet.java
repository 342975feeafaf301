package io.podnet.policy.nft;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.SequencedSet;

/**
 * A named set: its element type in nft syntax ({@code ipv4_addr}, {@code ifname},
 * {@code ipv4_addr . inet_proto . inet_service}), whether it holds intervals (prefixes), a comment and its
 * elements in nft syntax. Element order is the order the compiler chose (it sorts addresses numerically) and is
 * kept for rendering; equality ignores it.
 */
public record NftSet(String name, String type, boolean interval, String comment, SequencedSet<String> elements) {
    public NftSet {
        Names.requireIdentifier(name);
        Objects.requireNonNull(type, "type");
        comment = comment == null ? "" : Names.comment(comment);
        elements = Collections.unmodifiableSequencedSet(new LinkedHashSet<>(elements));
    }

    /** Same name, type, flags and comment: what {@code add set} declares (elements aside). */
    public boolean sameDefinition(NftSet other) {
        return name.equals(other.name) && type.equals(other.type) && interval == other.interval && comment.equals(other.comment);
    }
}
