package io.podnet.policy.nft;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A chain: a base chain when it has a {@link Hook}, otherwise a regular chain reached by jump/goto or a verdict map. */
public record Chain(String name, Optional<Hook> hook, String comment, List<NftRule> rules) {
    public Chain {
        Names.requireIdentifier(name);
        Objects.requireNonNull(hook, "hook");
        comment = comment == null ? "" : Names.comment(comment);
        rules = List.copyOf(rules);
    }

    public static Chain regular(String name, String comment, List<NftRule> rules) {
        return new Chain(name, Optional.empty(), comment, rules);
    }

    /** The header of a base chain: {@code type filter hook forward priority filter + 1; policy accept;}. */
    public record Hook(String type, String hook, String priority, String policy) {
        public Hook {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(hook, "hook");
            Objects.requireNonNull(priority, "priority");
            Objects.requireNonNull(policy, "policy");
        }

        public static Hook filter(String hook, String priority) {
            return new Hook("filter", hook, priority, "accept");
        }

        public String render() {
            return "type " + type + " hook " + hook + " priority " + priority + "; policy " + policy + ";";
        }
    }

    /** Same name, hook and comment: the definition an {@code add chain} creates (rules aside). */
    public boolean sameDefinition(Chain other) {
        return name.equals(other.name) && hook.equals(other.hook) && comment.equals(other.comment);
    }
}
