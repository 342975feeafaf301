package io.podnet.policy.model;

import io.podnet.selector.Selector;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A Calico {@code projectcalico.org/v3} {@code NetworkPolicy} (when {@code namespace} is present: it selects
 * endpoints of that namespace only) or {@code GlobalNetworkPolicy} (namespace empty; {@code namespaceSelector}
 * restricts the selected endpoints by their namespace's labels). {@code order} absent means "last" (infinite);
 * ties are broken by name. {@code types} is never empty: the decoder applies Calico's defaulting
 * ({@link #defaultTypes}).
 */
public record CalicoPolicy(Optional<String> namespace, String name, OptionalDouble order, Selector selector,
                           Optional<Selector> namespaceSelector, Set<Direction> types, List<Rule> ingress, List<Rule> egress)
        implements Resource {

    public CalicoPolicy {
        Objects.requireNonNull(namespace, "namespace");
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("name is required");
        Objects.requireNonNull(order, "order");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(namespaceSelector, "namespaceSelector");
        if (namespace.isPresent() && namespaceSelector.isPresent()) {
            throw new IllegalArgumentException("a namespaced NetworkPolicy has no namespaceSelector of its own");
        }
        if (types.isEmpty()) throw new IllegalArgumentException("types must not be empty");
        types = Set.copyOf(EnumSet.copyOf(types));
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    /**
     * Calico's default for absent {@code types}: Ingress when there are no egress rules, Egress when there are
     * egress rules but no ingress rules, both when there are both.
     */
    public static Set<Direction> defaultTypes(List<Rule> ingress, List<Rule> egress) {
        if (egress.isEmpty()) return Set.of(Direction.INGRESS);
        return ingress.isEmpty() ? Set.of(Direction.EGRESS) : Set.of(Direction.INGRESS, Direction.EGRESS);
    }

    public boolean isGlobal() { return namespace.isEmpty(); }

    public List<Rule> rules(Direction d) {
        return d == Direction.INGRESS ? ingress : egress;
    }

    @Override
    public ResourceKey key() {
        return new ResourceKey(isGlobal() ? Kind.GLOBAL_NETWORK_POLICY : Kind.CALICO_NETWORK_POLICY, namespace, name);
    }
}
