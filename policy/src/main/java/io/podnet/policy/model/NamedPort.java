package io.podnet.policy.model;

/** A port an endpoint names ({@code containerPort} with a {@code name}): what a rule's named port resolves to. */
public record NamedPort(String name, Protocol protocol, int port) {
    public NamedPort {
        if (name == null || !PortSpec.NAME.matcher(name).matches()) throw new IllegalArgumentException("bad port name: " + name);
        if (protocol == null || !protocol.hasPorts()) throw new IllegalArgumentException("named port " + name + " needs TCP, UDP, SCTP or UDPLite");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port must be 1-65535: " + port);
    }
}
