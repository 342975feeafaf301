package io.podnet.calico;

/**
 * One {@code projectcalico.org/v3} resource. Sealed: every kind podnet stores is listed here, so switches over
 * resources are exhaustive. To add a kind (BGPConfiguration, BGPPeer, NetworkPolicy, ...): a record implementing this
 * interface, a {@link Kind} constant, and an entry in the {@link Kinds} list its users build.
 */
public sealed interface Resource permits IpPool, IpamConfiguration, Node, WorkloadEndpoint {
    String API_VERSION = "projectcalico.org/v3";

    ObjectMeta metadata();

    /** The spec record (serialised as {@code spec}). */
    Object spec();

    /** The kind descriptor. */
    Kind<?> kind();

    /** The same resource with other metadata. */
    Resource withMetadata(ObjectMeta m);

    /** Defaults filled in and every field checked; throws {@link ResourceValidationException} naming the field. */
    Resource validated();

    default String name() { return metadata().name(); }

    /** A refusal naming this resource and {@code field}. */
    default ResourceValidationException invalid(String field, String problem) {
        return new ResourceValidationException(kind().name(), name(), field, problem);
    }
}
