package io.podnet.policy.compile;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node a ruleset is compiled for: its name (endpoints with this {@code node} are local and get chains; all
 * others only contribute addresses to sets), how its endpoints are attached by default, and exceptions by
 * interface name (a node serving a routed network and a bridge network at once).
 */
public record NodeView(String name, Attachment defaultAttachment, Map<String, Attachment> byInterface) {
    public NodeView {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultAttachment, "defaultAttachment");
        byInterface = Collections.unmodifiableMap(new TreeMap<>(byInterface));
    }

    public static NodeView routed(String name) {
        return new NodeView(name, Attachment.ROUTED, Map.of());
    }

    public static NodeView bridged(String name) {
        return new NodeView(name, Attachment.BRIDGED, Map.of());
    }

    public Attachment attachmentOf(String iface) {
        return byInterface.getOrDefault(iface, defaultAttachment);
    }

    /** Every attachment kind this node uses: decides which dispatch maps and base chains the ruleset has. */
    public Set<Attachment> kinds() {
        Set<Attachment> s = EnumSet.of(defaultAttachment);
        s.addAll(byInterface.values());
        return s;
    }
}
