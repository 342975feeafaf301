package io.podnet.policy.compile;

import io.podnet.net.IpAddress;
import io.podnet.policy.codec.ResourceDecoder;
import io.podnet.policy.model.InvalidResourceException;
import io.podnet.policy.model.NamedPort;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.WorkloadEndpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders for compiler tests: endpoints in code, policies in YAML. */
final class Fixtures {
    private Fixtures() {}

    /** {@code labels} as {@code "k=v,k2=v2"}. */
    static WorkloadEndpoint ep(String ns, String name, String node, String iface, String ip, String labels, NamedPort... ports) {
        return new WorkloadEndpoint(ns, name, node, iface, List.of(IpAddress.parse(ip)), labels(labels), List.of(ports));
    }

    static Map<String, String> labels(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (text.isBlank()) return m;
        for (String kv : text.split(",")) {
            String[] p = kv.split("=", 2);
            m.put(p[0], p[1]);
        }
        return m;
    }

    static List<Resource> yaml(String text) {
        try {
            return ResourceDecoder.decode(text, "default");
        } catch (InvalidResourceException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Resource one(String text) {
        return yaml(text).getFirst();
    }
}
