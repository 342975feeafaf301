package io.podnet.policy.compile;

import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.GlobalNetworkSet;
import io.podnet.policy.model.K8sNetworkPolicy;
import io.podnet.policy.model.Namespace;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.ResourceKey;
import io.podnet.policy.model.WorkloadEndpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the compiler reads, cluster-wide: namespaces (labels), workload endpoints of every node (remote
 * ones only contribute addresses to selector sets), the policies and the network sets. Immutable;
 * {@link #upsert} and {@link #delete} return changed copies, as a datastore watch delivers changes.
 */
public record PolicyInputs(List<Namespace> namespaces, List<WorkloadEndpoint> endpoints, List<K8sNetworkPolicy> k8sPolicies,
                           List<CalicoPolicy> calicoPolicies, List<GlobalNetworkSet> networkSets) {
    public static final PolicyInputs EMPTY = new PolicyInputs(List.of(), List.of(), List.of(), List.of(), List.of());

    public PolicyInputs {
        namespaces = List.copyOf(namespaces);
        endpoints = List.copyOf(endpoints);
        k8sPolicies = List.copyOf(k8sPolicies);
        calicoPolicies = List.copyOf(calicoPolicies);
        networkSets = List.copyOf(networkSets);
    }

    /** Sorts resources by kind; a later resource with the same key replaces an earlier one. */
    public static PolicyInputs of(Collection<? extends Resource> resources) {
        Map<ResourceKey, Resource> byKey = new LinkedHashMap<>();
        for (Resource r : resources) byKey.put(r.key(), r);
        List<Namespace> ns = new ArrayList<>();
        List<WorkloadEndpoint> eps = new ArrayList<>();
        List<K8sNetworkPolicy> k8s = new ArrayList<>();
        List<CalicoPolicy> cal = new ArrayList<>();
        List<GlobalNetworkSet> sets = new ArrayList<>();
        for (Resource r : byKey.values()) {
            switch (r) {
                case Namespace n -> ns.add(n);
                case WorkloadEndpoint e -> eps.add(e);
                case K8sNetworkPolicy p -> k8s.add(p);
                case CalicoPolicy p -> cal.add(p);
                case GlobalNetworkSet s -> sets.add(s);
            }
        }
        return new PolicyInputs(ns, eps, k8s, cal, sets);
    }

    public List<Resource> all() {
        List<Resource> out = new ArrayList<>(namespaces);
        out.addAll(endpoints);
        out.addAll(k8sPolicies);
        out.addAll(calicoPolicies);
        out.addAll(networkSets);
        return out;
    }

    /** A copy with {@code r} added, or replacing the resource with its key. */
    public PolicyInputs upsert(Resource r) {
        List<Resource> all = all();
        boolean replaced = false;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).key().equals(r.key())) {
                all.set(i, r);
                replaced = true;
            }
        }
        if (!replaced) all.add(r);
        return of(all);
    }

    /** A copy without the resource with {@code key} (unchanged if there is none). */
    public PolicyInputs delete(ResourceKey key) {
        List<Resource> all = all();
        all.removeIf(r -> r.key().equals(key));
        return of(all);
    }
}
