package io.podnet.cni.config;

import java.util.List;

/** The {@code dns} capability (CONVENTIONS.md): {@code {"servers","searches","options"}}. */
public record DnsCapability(List<String> servers, List<String> searches, List<String> options) {
    public DnsCapability {
        servers = List.copyOf(servers);
        searches = List.copyOf(searches);
        options = List.copyOf(options);
    }
}
