package io.podnet.policy.model;

import java.util.List;

/** A resource that was refused: which one (as far as known) and every field error found in it. */
public final class InvalidResourceException extends Exception {
    private final String resource;
    private final List<FieldError> errors;

    public InvalidResourceException(String resource, List<FieldError> errors) {
        super(message(resource, errors));
        this.resource = resource;
        this.errors = List.copyOf(errors);
    }

    /** The resource as {@code Kind ns/name}, or its position in the input when it has no usable identity. */
    public String resource() { return resource; }

    public List<FieldError> errors() { return errors; }

    private static String message(String resource, List<FieldError> errors) {
        StringBuilder sb = new StringBuilder(resource).append(" is invalid: ");
        for (int i = 0; i < errors.size(); i++) {
            if (i > 0) sb.append("; ");
            sb.append(errors.get(i));
        }
        return sb.toString();
    }
}
