package io.podnet.policy.model;

import io.podnet.net.IpPrefix;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/** A Calico {@code GlobalNetworkSet}: labelled CIDRs that rule selectors of global policies (or {@code global()}) select. */
public record GlobalNetworkSet(String name, Map<String, String> labels, List<IpPrefix> nets) implements Resource {
    public GlobalNetworkSet {
        Objects.requireNonNull(name, "name");
        labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        nets = List.copyOf(nets);
    }

    @Override
    public ResourceKey key() {
        return new ResourceKey(Kind.GLOBAL_NETWORK_SET, Optional.empty(), name);
    }
}
