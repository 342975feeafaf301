package io.podnet.policy.model;

import io.podnet.net.IpFamily;
import java.util.Objects;
import java.util.Optional;

/**
 * One Calico rule: match criteria and an {@link Action}. All criteria must hold; a rule with none matches
 * every packet. Eight components mirror Calico's {@code Rule} (the HTTP, service and service-account matches
 * are not supported and are refused by the decoder).
 */
public record Rule(Action action, Optional<IpFamily> ipVersion, Optional<Protocol> protocol, Optional<Protocol> notProtocol,
                   Optional<Icmp> icmp, Optional<Icmp> notIcmp, EntityRule source, EntityRule destination) {

    public Rule {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(ipVersion, "ipVersion");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(notProtocol, "notProtocol");
        Objects.requireNonNull(icmp, "icmp");
        Objects.requireNonNull(notIcmp, "notIcmp");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        boolean ports = !source.ports().isEmpty() || !source.notPorts().isEmpty()
                || !destination.ports().isEmpty() || !destination.notPorts().isEmpty();
        if (ports && (protocol.isEmpty() || !protocol.get().hasPorts())) {
            throw new IllegalArgumentException("ports need protocol TCP, UDP, SCTP or UDPLite");
        }
        if ((icmp.isPresent() || notIcmp.isPresent())
                && (protocol.isEmpty() || !(protocol.get().equals(Protocol.ICMP) || protocol.get().equals(Protocol.ICMPV6)))) {
            throw new IllegalArgumentException("icmp and notICMP need protocol ICMP or ICMPv6");
        }
    }

    /** A rule with only an action: matches everything. */
    public static Rule of(Action action) {
        return new Rule(action, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                EntityRule.ANY, EntityRule.ANY);
    }

    public Rule withProtocol(Protocol p) {
        return new Rule(action, ipVersion, Optional.of(p), notProtocol, icmp, notIcmp, source, destination);
    }

    public Rule withSource(EntityRule s) {
        return new Rule(action, ipVersion, protocol, notProtocol, icmp, notIcmp, s, destination);
    }

    public Rule withDestination(EntityRule d) {
        return new Rule(action, ipVersion, protocol, notProtocol, icmp, notIcmp, source, d);
    }
}
