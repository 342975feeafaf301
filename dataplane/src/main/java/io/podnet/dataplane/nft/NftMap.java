package io.podnet.dataplane.nft;

import java.util.Map;
import java.util.TreeMap;

/**
 * A verdict map of podnet's table ({@code map NAME { type ipv4_addr : verdict; elements = { 10.0.0.5 : jump ep1 } }}),
 * the dispatch structure network policy compiles to; keys in nft's canonical text like {@link NftSet} elements.
 * Prefix keys need {@code interval} (nft refuses them otherwise).
 */
public record NftMap(NftName name, NftSet.Type keyType, boolean interval, Map<String, Verdict> elements) {
    public NftMap {
        if (name == null || keyType == null) throw new IllegalArgumentException("a map needs a name and a key type");
        elements = java.util.Collections.unmodifiableMap(new TreeMap<>(elements));
        for (Verdict v : elements.values()) {
            if (!Verdict.mapValue(v)) throw new IllegalArgumentException("map " + name + ": " + Verdict.render(v) + " is not a verdict a map can hold");
        }
    }
}
