package io.podnet.policy.compile;

import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.GlobalNetworkSet;
import io.podnet.policy.model.Namespace;
import io.podnet.policy.model.WorkloadEndpoint;
import io.podnet.selector.Selector;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Label matching with the namespace context the selectors need: endpoint labels with their implicit ones,
 * namespace labels with theirs (a namespace without a Namespace resource has only the implicit ones), and
 * {@code global()} evaluated as "not namespaced".
 */
final class Matching {
    private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    private final Map<WorkloadEndpoint, Map<String, String>> endpointLabels = new IdentityHashMap<>();

    Matching(List<Namespace> namespaces, List<WorkloadEndpoint> endpoints) {
        for (Namespace n : namespaces) namespaceLabels.put(n.name(), n.effectiveLabels());
        for (WorkloadEndpoint e : endpoints) endpointLabels.put(e, e.effectiveLabels());
    }

    Map<String, String> labels(WorkloadEndpoint e) {
        Map<String, String> l = endpointLabels.get(e);
        return l != null ? l : e.effectiveLabels();
    }

    Map<String, String> namespaceLabels(String namespace) {
        return namespaceLabels.computeIfAbsent(namespace, n -> Namespace.implicit(n).effectiveLabels());
    }

    /** True if {@code policy} selects endpoint {@code e} (its namespace, selector and namespace selector). */
    boolean applies(CalicoPolicy policy, WorkloadEndpoint e) {
        if (policy.namespace().isPresent() && !policy.namespace().get().equals(e.namespace())) return false;
        if (!policy.selector().matches(labels(e))) return false;
        return policy.namespaceSelector().map(ns -> namespaceMatches(ns, e.namespace())).orElse(true);
    }

    boolean matches(PeerKey key, WorkloadEndpoint e) {
        boolean inScope = switch (key.scope()) {
            case PeerKey.Scope.InNamespace n -> n.namespace().equals(e.namespace());
            case PeerKey.Scope.InNamespaces n -> namespaceMatches(n.namespaceSelector(), e.namespace());
            case PeerKey.Scope.Cluster c -> true;
        };
        return inScope && key.selector().matches(labels(e));
    }

    boolean matches(PeerKey key, GlobalNetworkSet s) {
        boolean inScope = switch (key.scope()) {
            case PeerKey.Scope.InNamespace n -> false;
            case PeerKey.Scope.InNamespaces n -> mentionsGlobal(n.namespaceSelector()) && eval(n.namespaceSelector(), Map.of(), true);
            case PeerKey.Scope.Cluster c -> true;
        };
        return inScope && key.selector().matches(s.labels());
    }

    /** A namespaced entity's namespace against a namespace selector: {@code global()} is false for it. */
    boolean namespaceMatches(Selector nsSelector, String namespace) {
        return eval(nsSelector, namespaceLabels(namespace), false);
    }

    private static boolean eval(Selector s, Map<String, String> labels, boolean global) {
        return switch (s) {
            case Selector.Global g -> global;
            case Selector.Not n -> !eval(n.operand(), labels, global);
            case Selector.And a -> a.operands().stream().allMatch(o -> eval(o, labels, global));
            case Selector.Or o -> o.operands().stream().anyMatch(x -> eval(x, labels, global));
            case Selector.All a -> true;
            case Selector.Has h -> h.matches(labels);
            case Selector.Compare c -> c.matches(labels);
            case Selector.InSet i -> i.matches(labels);
        };
    }

    private static boolean mentionsGlobal(Selector s) {
        return switch (s) {
            case Selector.Global g -> true;
            case Selector.Not n -> mentionsGlobal(n.operand());
            case Selector.And a -> a.operands().stream().anyMatch(Matching::mentionsGlobal);
            case Selector.Or o -> o.operands().stream().anyMatch(Matching::mentionsGlobal);
            case Selector.All a -> false;
            case Selector.Has h -> false;
            case Selector.Compare c -> false;
            case Selector.InSet i -> false;
        };
    }
}
