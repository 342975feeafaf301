package io.podnet.policy.model;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A Kubernetes namespace's labels, as namespace selectors see them. {@link #effectiveLabels()} adds the labels
 * every namespace carries implicitly: {@code kubernetes.io/metadata.name} (set by Kubernetes) and
 * {@code projectcalico.org/name} (Calico's); they override user labels of the same key.
 */
public record Namespace(String name, Map<String, String> labels) implements Resource {
    public static final String K8S_NAME_LABEL = "kubernetes.io/metadata.name";
    public static final String CALICO_NAME_LABEL = "projectcalico.org/name";

    public Namespace {
        Objects.requireNonNull(name, "name");
        labels = Collections.unmodifiableMap(new TreeMap<>(labels));
    }

    /** A namespace with no labels of its own (what a pod's namespace is when no Namespace resource exists). */
    public static Namespace implicit(String name) {
        return new Namespace(name, Map.of());
    }

    public Map<String, String> effectiveLabels() {
        Map<String, String> m = new TreeMap<>(labels);
        m.put(K8S_NAME_LABEL, name);
        m.put(CALICO_NAME_LABEL, name);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public ResourceKey key() {
        return new ResourceKey(Kind.NAMESPACE, Optional.empty(), name);
    }
}
