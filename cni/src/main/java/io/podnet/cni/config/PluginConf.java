package io.podnet.cni.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** One plugin object of a config list: required {@code type}, optional {@code capabilities}; the rest kept raw. */
public record PluginConf(String type, Map<String, Boolean> capabilities, ObjectNode raw) {
    public PluginConf {
        if (type == null || type.isEmpty()) throw new IllegalArgumentException("plugin type is required");
        capabilities = Map.copyOf(capabilities);
        raw = raw.deepCopy();
    }

    @Override
    public ObjectNode raw() {
        return raw.deepCopy();
    }

    /** Whether the plugin declared {@code capabilities.<name>: true}. */
    public boolean hasCapability(String name) {
        return capabilities.getOrDefault(name, false);
    }
}
