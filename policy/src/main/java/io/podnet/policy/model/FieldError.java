package io.podnet.policy.model;

/**
 * One problem with user input: the field path as Kubernetes prints it ({@code spec.ingress[0].ports[1].endPort}),
 * the offending value (may be null) and what is wrong.
 */
public record FieldError(String field, String value, String problem) {
    @Override
    public String toString() {
        return field + (value == null ? "" : ": Invalid value: " + value) + ": " + problem;
    }
}
