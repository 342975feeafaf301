package io.podnet.policy.nft;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * A verdict map ({@code type ifname : verdict}, {@code type ipv4_addr : verdict}): the dispatch from an interface
 * or address to the chain of its endpoint. Keys are in nft syntax; equality ignores their order.
 */
public record NftMap(String name, String keyType, String comment, SequencedMap<String, Verdict> elements) {
    public NftMap {
        Names.requireIdentifier(name);
        Objects.requireNonNull(keyType, "keyType");
        comment = comment == null ? "" : Names.comment(comment);
        elements = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(elements));
    }

    public boolean sameDefinition(NftMap other) {
        return name.equals(other.name) && keyType.equals(other.keyType) && comment.equals(other.comment);
    }
}
