package io.podnet.policy.model;

import java.util.Objects;
import java.util.Optional;

/** Identity of a resource: kind, namespace (namespaced kinds only) and name. Prints as {@code Kind ns/name}. */
public record ResourceKey(Kind kind, Optional<String> namespace, String name) {
    public ResourceKey {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        if (kind.namespaced() != namespace.isPresent()) {
            throw new IllegalArgumentException(kind.kind() + (kind.namespaced() ? " needs" : " has no") + " namespace");
        }
    }

    @Override
    public String toString() {
        return kind.kind() + " " + namespace.map(n -> n + "/").orElse("") + name;
    }
}
