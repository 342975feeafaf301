package io.podnet.calico;

/**
 * A resource that Calico would refuse: names the kind, the resource and the field, e.g.
 * {@code IPPool "pool-a": spec.blockSize: 33 is out of range 20-32 for an IPv4 pool}.
 */
public final class ResourceValidationException extends IllegalArgumentException {
    private final String kind;
    private final String resource;
    private final String field;

    public ResourceValidationException(String kind, String resource, String field, String problem) {
        super(kind + " \"" + (resource == null ? "" : resource) + "\": " + field + ": " + problem);
        this.kind = kind;
        this.resource = resource;
        this.field = field;
    }

    public String kind() { return kind; }

    public String resource() { return resource; }

    /** The offending field as a path, e.g. {@code spec.cidr}. */
    public String field() { return field; }
}
