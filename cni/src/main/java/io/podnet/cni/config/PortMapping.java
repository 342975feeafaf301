package io.podnet.cni.config;

import java.util.Optional;

/** A {@code portMappings} capability entry (CONVENTIONS.md): {@code {"hostPort","containerPort","protocol","hostIP"}}. */
public record PortMapping(int hostPort, int containerPort, String protocol, Optional<String> hostIp) {
    public PortMapping {
        if (hostPort < 0 || hostPort > 65535) throw new IllegalArgumentException("hostPort out of range: " + hostPort);
        if (containerPort < 0 || containerPort > 65535) throw new IllegalArgumentException("containerPort out of range: " + containerPort);
        protocol = protocol == null || protocol.isEmpty() ? "tcp" : protocol.toLowerCase(java.util.Locale.ROOT);
        hostIp = hostIp == null ? Optional.empty() : hostIp;
    }
}
