package io.podnet.calico;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kubernetes-style object metadata as Calico's v3 resources carry it.
 *
 * @param name              the resource name (required)
 * @param namespace         for namespaced kinds (WorkloadEndpoint); null otherwise
 * @param resourceVersion   the datastore revision of the stored object (etcd mod revision); null before creation
 * @param uid               set on creation
 * @param creationTimestamp RFC 3339, set on creation
 * @param labels            label map (selectors match it)
 * @param annotations       annotation map
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(value = {"generation", "managedFields"}, allowSetters = true)
public record ObjectMeta(@JsonProperty("name") String name, @JsonProperty("namespace") String namespace,
                         @JsonProperty("resourceVersion") String resourceVersion, @JsonProperty("uid") String uid,
                         @JsonProperty("creationTimestamp") String creationTimestamp,
                         @JsonProperty("labels") Map<String, String> labels,
                         @JsonProperty("annotations") Map<String, String> annotations) {
    public ObjectMeta {
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    /** Metadata with only a name (cluster-scoped kinds). */
    public static ObjectMeta named(String name) {
        return new ObjectMeta(name, null, null, null, null, null, null);
    }

    /** Metadata with a name and labels. */
    public static ObjectMeta named(String name, Map<String, String> labels) {
        return new ObjectMeta(name, null, null, null, null, labels, null);
    }

    public ObjectMeta withResourceVersion(String rv) {
        return new ObjectMeta(name, namespace, rv, uid, creationTimestamp, labels, annotations);
    }

    public ObjectMeta withCreation(String newUid, String timestamp) {
        return new ObjectMeta(name, namespace, resourceVersion, newUid, timestamp, labels, annotations);
    }

    public ObjectMeta withLabels(Map<String, String> l) {
        return new ObjectMeta(name, namespace, resourceVersion, uid, creationTimestamp, l, annotations);
    }

    public ObjectMeta withNamespace(String ns) {
        return new ObjectMeta(name, ns, resourceVersion, uid, creationTimestamp, labels, annotations);
    }
}
