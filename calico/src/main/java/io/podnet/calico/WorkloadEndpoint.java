package io.podnet.calico;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Calico's {@code WorkloadEndpoint} (namespaced; key {@code workloadendpoints/<namespace>/<name>}): one pod
 * interface and its addresses. {@code podnet ipam check} counts an address as in use when an endpoint lists it in
 * {@code ipNetworks}, as calicoctl does. Only the fields IPAM needs are modelled yet; the routed mode adds the rest.
 */
public record WorkloadEndpoint(ObjectMeta metadata, Spec spec) implements Resource {
    public static final Kind<WorkloadEndpoint> KIND = new Kind<>("WorkloadEndpoint", "workloadendpoints", true, Spec.class,
            (m, s) -> new WorkloadEndpoint(m, (Spec) s), List.of("workloadendpoint", "wep", "weps"), Kind.CrossCheck.none());

    /** {@code spec}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(@JsonProperty("orchestrator") String orchestrator, @JsonProperty("workload") String workload,
                       @JsonProperty("node") String node, @JsonProperty("containerID") String containerId,
                       @JsonProperty("pod") String pod, @JsonProperty("endpoint") String endpoint,
                       @JsonProperty("ipNetworks") List<String> ipNetworks,
                       @JsonProperty("interfaceName") String interfaceName, @JsonProperty("mac") String mac) {
        public Spec {
            ipNetworks = ipNetworks == null ? List.of() : List.copyOf(ipNetworks);
        }
    }

    /**
     * Calico's endpoint name: {@code <node>-<orchestrator>-<workload>-<endpoint>}, each part with '-' doubled, e.g.
     * {@code node--1-k8s-web--0-eth0}.
     */
    public static String nameFor(String node, String orchestrator, String workload, String endpoint) {
        return String.join("-", esc(node), esc(orchestrator), esc(workload), esc(endpoint));
    }

    private static String esc(String s) { return s.replace("-", "--"); }

    @Override
    public Kind<WorkloadEndpoint> kind() { return KIND; }

    @Override
    public WorkloadEndpoint withMetadata(ObjectMeta m) { return new WorkloadEndpoint(m, spec); }

    @Override
    public WorkloadEndpoint validated() {
        Checks.name(this);
        if (metadata.namespace() == null || metadata.namespace().isEmpty()) throw invalid("metadata.namespace", "is required");
        if (spec == null || spec.node() == null || spec.node().isEmpty()) throw invalid("spec.node", "is required");
        for (int i = 0; i < spec.ipNetworks().size(); i++) {
            Checks.addressWithLength(this, "spec.ipNetworks[" + i + "]", spec.ipNetworks().get(i));
        }
        return this;
    }
}
