package io.podnet.calico;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An explicit, closed list of kinds (no registry, no ServiceLoader): a store or reader built with a list knows
 * exactly those. Modules that add kinds build their own list with {@link #with}.
 */
public final class Kinds {
    /** What cluster IPAM needs: pools, the IPAM configuration, nodes, workload endpoints. */
    public static final Kinds IPAM = new Kinds(List.of(IpPool.KIND, IpamConfiguration.KIND, Node.KIND, WorkloadEndpoint.KIND));

    private final List<Kind<?>> kinds;

    private Kinds(List<Kind<?>> kinds) {
        this.kinds = List.copyOf(kinds);
        var names = new java.util.HashSet<String>();
        for (Kind<?> k : kinds) {
            if (!names.add(k.name())) throw new IllegalArgumentException("kind listed twice: " + k.name());
        }
    }

    public static Kinds of(List<Kind<?>> kinds) { return new Kinds(kinds); }

    /** This list plus {@code more}. */
    public Kinds with(List<Kind<?>> more) {
        List<Kind<?>> all = new ArrayList<>(kinds);
        all.addAll(more);
        return new Kinds(all);
    }

    public List<Kind<?>> all() { return kinds; }

    /** By its {@code kind} string, exactly as in a document. */
    public Optional<Kind<?>> byName(String kind) {
        return kinds.stream().filter(k -> k.name().equals(kind)).findFirst();
    }

    /** By a CLI name: kind, plural or alias, any case. */
    public Optional<Kind<?>> byCliName(String name) {
        return kinds.stream().filter(k -> k.answersTo(name)).findFirst();
    }

    /** "IPPool, IPAMConfiguration, ..." for error messages. */
    public String names() {
        return String.join(", ", kinds.stream().map(Kind::name).toList());
    }
}
