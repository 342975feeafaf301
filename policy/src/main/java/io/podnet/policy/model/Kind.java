package io.podnet.policy.model;

/** The resource kinds with their API version and kind as written in YAML, and whether they are namespaced. */
public enum Kind {
    K8S_NETWORK_POLICY("networking.k8s.io/v1", "NetworkPolicy", true),
    CALICO_NETWORK_POLICY("projectcalico.org/v3", "NetworkPolicy", true),
    GLOBAL_NETWORK_POLICY("projectcalico.org/v3", "GlobalNetworkPolicy", false),
    GLOBAL_NETWORK_SET("projectcalico.org/v3", "GlobalNetworkSet", false),
    NAMESPACE("v1", "Namespace", false),
    WORKLOAD_ENDPOINT("projectcalico.org/v3", "WorkloadEndpoint", true);

    private final String apiVersion;
    private final String kind;
    private final boolean namespaced;

    Kind(String apiVersion, String kind, boolean namespaced) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.namespaced = namespaced;
    }

    public String apiVersion() { return apiVersion; }

    public String kind() { return kind; }

    public boolean namespaced() { return namespaced; }

    /** The kind for an {@code apiVersion} / {@code kind} pair, or null. */
    public static Kind of(String apiVersion, String kind) {
        for (Kind k : values()) if (k.apiVersion.equals(apiVersion) && k.kind.equals(kind)) return k;
        return null;
    }
}
