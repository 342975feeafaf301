package io.podnet.policy.compile;

import io.podnet.selector.Selector;
import java.util.Objects;
import java.util.Optional;

/**
 * Which entities a rule's selector matches, independent of the rule: the scope (a namespace, the namespaces a
 * namespace selector matches, or the whole cluster) and the selector on the entities' own labels. Equal keys
 * share one nft set, whichever policies use them.
 * <ul>
 *   <li>{@link Scope.InNamespace}: a namespaced policy's rule selector without {@code namespaceSelector}:
 *       endpoints of the policy's namespace;</li>
 *   <li>{@link Scope.InNamespaces}: a rule with {@code namespaceSelector}: endpoints whose namespace matches it;
 *       {@code global()} in it selects global network sets (and only a selector that mentions {@code global()}
 *       does);</li>
 *   <li>{@link Scope.Cluster}: a global policy's rule selector without {@code namespaceSelector}, and every
 *       {@code notSelector}: all endpoints and all global network sets.</li>
 * </ul>
 */
record PeerKey(Scope scope, Selector selector) {
    PeerKey {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(selector, "selector");
    }

    sealed interface Scope {
        record InNamespace(String namespace) implements Scope {}

        record InNamespaces(Selector namespaceSelector) implements Scope {}

        record Cluster() implements Scope {}
    }

    /** The key of a rule side's positive selector in a policy of {@code policyNamespace}, if it selects at all. */
    static Optional<PeerKey> positive(Optional<Selector> selector, Optional<Selector> namespaceSelector, Optional<String> policyNamespace) {
        if (selector.isEmpty() && namespaceSelector.isEmpty()) return Optional.empty();
        Selector sel = selector.orElse(new Selector.All());
        Scope scope = namespaceSelector.<Scope>map(Scope.InNamespaces::new)
                .orElseGet(() -> policyNamespace.<Scope>map(Scope.InNamespace::new).orElse(new Scope.Cluster()));
        return Optional.of(new PeerKey(scope, sel));
    }

    /** The key of a {@code notSelector}: it excludes matching entities cluster-wide. */
    static PeerKey negative(Selector notSelector) {
        return new PeerKey(new Scope.Cluster(), notSelector);
    }

    /** Canonical text: what the set's name hashes and its comment shows. */
    String text() {
        String s = switch (scope) {
            case Scope.InNamespace n -> "ns " + n.namespace();
            case Scope.InNamespaces n -> "namespaces " + n.namespaceSelector();
            case Scope.Cluster c -> "cluster";
        };
        return s + ": " + selector;
    }
}
