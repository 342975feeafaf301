package io.podnet.policy.model;

import io.podnet.selector.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Kubernetes label selector: {@code matchLabels} and {@code matchExpressions}, all ANDed. The empty selector
 * ({@code {}}) matches everything. {@link #toSelector()} turns it into the Calico selector AST with the same
 * meaning: {@code k: v} is {@code k == "v"}, {@code In} is {@code in {...}}, {@code NotIn} is {@code not in {...}}
 * (which, as in Kubernetes, also matches when the label is absent), {@code Exists} is {@code has(k)},
 * {@code DoesNotExist} is {@code !has(k)}.
 */
public record LabelSelector(SortedMap<String, String> matchLabels, List<Requirement> matchExpressions) {

    public static final LabelSelector EVERYTHING = new LabelSelector(new TreeMap<>(), List.of());

    public LabelSelector {
        matchLabels = Collections.unmodifiableSortedMap(new TreeMap<>(matchLabels));
        matchExpressions = List.copyOf(matchExpressions);
    }

    public static LabelSelector ofLabels(Map<String, String> labels) {
        return new LabelSelector(new TreeMap<>(labels), List.of());
    }

    /** The operators of {@code matchExpressions}. */
    public enum Operator {
        IN("In"), NOT_IN("NotIn"), EXISTS("Exists"), DOES_NOT_EXIST("DoesNotExist");

        private final String apiName;

        Operator(String apiName) { this.apiName = apiName; }

        public String apiName() { return apiName; }

        public static Operator ofApiName(String text) {
            for (Operator o : values()) if (o.apiName.equals(text)) return o;
            return null;
        }
    }

    /** One {@code matchExpressions} entry; In/NotIn have values, Exists/DoesNotExist have none. */
    public record Requirement(String key, Operator operator, SortedSet<String> values) {
        public Requirement {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(operator, "operator");
            values = Collections.unmodifiableSortedSet(new TreeSet<>(values));
            boolean needsValues = operator == Operator.IN || operator == Operator.NOT_IN;
            if (needsValues == values.isEmpty()) {
                throw new IllegalArgumentException(operator.apiName() + (needsValues ? " needs values" : " takes no values"));
            }
        }
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    /** The equivalent Calico selector ({@code all()} for the empty selector). */
    public Selector toSelector() {
        List<Selector> parts = new ArrayList<>();
        matchLabels.forEach((k, v) -> parts.add(new Selector.Compare(k, Selector.Op.EQ, v)));
        for (Requirement r : matchExpressions) {
            parts.add(switch (r.operator()) {
                case IN -> new Selector.InSet(r.key(), false, r.values());
                case NOT_IN -> new Selector.InSet(r.key(), true, r.values());
                case EXISTS -> new Selector.Has(r.key());
                case DOES_NOT_EXIST -> new Selector.Not(new Selector.Has(r.key()));
            });
        }
        return Selector.and(parts);
    }
}
