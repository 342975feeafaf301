package io.podnet.dataplane.nft;

import java.util.List;
import java.util.Optional;

/** A chain of podnet's table: a base chain when it has a {@link Hook}, else a regular chain (a jump target). */
public record Chain(NftName name, Optional<Hook> hook, List<Rule> rules) {
    public Chain {
        if (name == null) throw new IllegalArgumentException("a chain needs a name");
        if (hook == null) hook = Optional.empty();
        rules = List.copyOf(rules);
    }

    public static Chain base(NftName name, Hook hook, List<Rule> rules) {
        return new Chain(name, Optional.of(hook), rules);
    }

    public static Chain regular(NftName name, List<Rule> rules) {
        return new Chain(name, Optional.empty(), rules);
    }
}
