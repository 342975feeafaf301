package io.podnet.policy.model;

import io.podnet.net.IpAddress;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A pod's network interface as policy sees it (Calico's {@code WorkloadEndpoint}): the pod's namespace and
 * name, the node it runs on, the host-side interface ({@code interfaceName}: the host veth of a routed pod,
 * the bridge port of a bridged one), its addresses, labels and named ports. {@link #effectiveLabels()} adds the
 * implicit labels {@code projectcalico.org/namespace} and {@code projectcalico.org/orchestrator: k8s}.
 */
public record WorkloadEndpoint(String namespace, String name, String node, String interfaceName, List<IpAddress> addresses,
                               Map<String, String> labels, List<NamedPort> ports) implements Resource {
    public static final String NAMESPACE_LABEL = "projectcalico.org/namespace";
    public static final String ORCHESTRATOR_LABEL = "projectcalico.org/orchestrator";
    /** Linux interface names: 1–15 characters, none of which is '/', whitespace, ':' or a quote. */
    public static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.@+-]{1,15}");

    public WorkloadEndpoint {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(node, "node");
        if (interfaceName == null || !IFNAME.matcher(interfaceName).matches()) {
            throw new IllegalArgumentException("bad interface name: " + interfaceName);
        }
        addresses = List.copyOf(addresses);
        labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        ports = List.copyOf(ports);
    }

    public Map<String, String> effectiveLabels() {
        Map<String, String> m = new TreeMap<>(labels);
        m.put(NAMESPACE_LABEL, namespace);
        m.put(ORCHESTRATOR_LABEL, "k8s");
        return Collections.unmodifiableMap(m);
    }

    public WorkloadEndpoint withLabels(Map<String, String> newLabels) {
        return new WorkloadEndpoint(namespace, name, node, interfaceName, addresses, newLabels, ports);
    }

    @Override
    public ResourceKey key() {
        return new ResourceKey(Kind.WORKLOAD_ENDPOINT, Optional.of(namespace), name);
    }
}
