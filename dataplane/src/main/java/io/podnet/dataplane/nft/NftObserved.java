package io.podnet.dataplane.nft;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A table as podnet compares it: per chain its hook ({@code ""} for a regular chain, else
 * {@code "nat postrouting 100 accept"}) and its rules' hashes in order ({@code "?"} for a rule without podnet's
 * mark); per set its type, interval flag and elements; per map its key type and {@code "key : verdict"} entries.
 * {@link NftRuleset#observed()} computes it from desired state, {@link NftListing} from {@code nft -j list table};
 * the two are equal exactly when the kernel holds what podnet wants.
 */
public record NftObserved(Map<String, Chain> chains, Map<String, Set> sets, Map<String, MapEntries> maps) {
    public NftObserved {
        chains = java.util.Collections.unmodifiableMap(new TreeMap<>(chains));
        sets = java.util.Collections.unmodifiableMap(new TreeMap<>(sets));
        maps = java.util.Collections.unmodifiableMap(new TreeMap<>(maps));
    }

    /** A chain's hook and rule hashes. */
    public record Chain(String hook, List<String> rules) {
        public Chain {
            rules = List.copyOf(rules);
        }
    }

    /** A set's type, flag and sorted elements. */
    public record Set(String type, boolean interval, List<String> elements) {
        public Set {
            elements = List.copyOf(new java.util.TreeSet<>(elements));
        }
    }

    /** A verdict map's key type and sorted {@code "key : verdict"} entries. */
    public record MapEntries(String keyType, boolean interval, List<String> entries) {
        public MapEntries {
            entries = List.copyOf(new java.util.TreeSet<>(entries));
        }
    }

    public boolean isEmpty() { return chains.isEmpty() && sets.isEmpty() && maps.isEmpty(); }
}
