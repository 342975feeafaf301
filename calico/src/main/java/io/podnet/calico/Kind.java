package io.podnet.calico;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * What the store, the reader and the CLI know about one resource kind.
 *
 * @param name       the {@code kind} string, e.g. {@code IPPool}
 * @param plural     the key segment and CLI name, e.g. {@code ippools}
 * @param namespaced whether keys carry a namespace ({@code <plural>/<ns>/<name>})
 * @param specType   the spec record Jackson decodes {@code spec} into
 * @param make       builds the resource from metadata and a decoded spec
 * @param aliases    further CLI names ({@code ippool}, {@code pool}, ...), lower case
 * @param crossCheck checks against the other stored resources of this kind before a write
 */
public record Kind<R extends Resource>(String name, String plural, boolean namespaced, Class<?> specType,
                                       BiFunction<ObjectMeta, Object, R> make, List<String> aliases,
                                       CrossCheck<R> crossCheck) {

    /** A check of a candidate against what is stored; throws {@link ResourceValidationException}. */
    @FunctionalInterface
    public interface CrossCheck<R> {
        /**
         * @param candidate the validated resource about to be written
         * @param previous  the stored version it replaces, or null for a create
         * @param others    every other stored resource of the kind
         */
        void check(R candidate, R previous, List<R> others);

        /** No cross check: a write of such a kind does not list the others. */
        CrossCheck<Object> NONE = (c, p, o) -> { };

        @SuppressWarnings("unchecked")
        static <R> CrossCheck<R> none() { return (CrossCheck<R>) (CrossCheck<?>) NONE; }
    }

    public Kind {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(plural, "plural");
        aliases = List.copyOf(aliases);
    }

    /** Builds a resource of this kind from a decoded spec (must be an instance of {@link #specType()}). */
    public R build(ObjectMeta meta, Object spec) {
        return make.apply(meta, specType.cast(spec));
    }

    /** Whether {@code cliName} (case-insensitive) names this kind: the kind, its plural or an alias. */
    public boolean answersTo(String cliName) {
        String n = cliName.toLowerCase(java.util.Locale.ROOT);
        return n.equals(name.toLowerCase(java.util.Locale.ROOT)) || n.equals(plural) || aliases.contains(n);
    }

    @SuppressWarnings("unchecked")
    public R cast(Resource r) {
        if (r.kind() != this) throw new IllegalArgumentException(r.kind().name() + " is not a " + name);
        return (R) r;
    }
}
