package io.podnet.policy.model;

import io.podnet.net.IpPrefix;
import io.podnet.selector.Selector;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The source or destination half of a Calico {@link Rule}: every present criterion must match. {@code nets} are
 * ORed among themselves, as are {@code ports}; the {@code not...} fields exclude. {@code selector} and
 * {@code namespaceSelector} together select endpoints matched by both; {@code notSelector} excludes every
 * entity it matches. Seven components mirror Calico's {@code EntityRule} field for field.
 */
public record EntityRule(List<IpPrefix> nets, List<IpPrefix> notNets, Optional<Selector> selector,
                         Optional<Selector> notSelector, Optional<Selector> namespaceSelector,
                         List<PortSpec> ports, List<PortSpec> notPorts) {

    public static final EntityRule ANY = new EntityRule(List.of(), List.of(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of(), List.of());

    public EntityRule {
        nets = List.copyOf(nets);
        notNets = List.copyOf(notNets);
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(notSelector, "notSelector");
        Objects.requireNonNull(namespaceSelector, "namespaceSelector");
        ports = List.copyOf(ports);
        notPorts = List.copyOf(notPorts);
    }

    /** True when the entity has a selector of its own or through its namespace (an endpoint-set match). */
    public boolean selectsEndpoints() {
        return selector.isPresent() || namespaceSelector.isPresent();
    }

    /** True when any port (positive or negated) is named. */
    public boolean hasNamedPorts() {
        return ports.stream().anyMatch(p -> p instanceof PortSpec.Named) || notPorts.stream().anyMatch(p -> p instanceof PortSpec.Named);
    }

    public EntityRule withNets(List<IpPrefix> n, List<IpPrefix> not) {
        return new EntityRule(n, not, selector, notSelector, namespaceSelector, ports, notPorts);
    }

    public EntityRule withSelectors(Optional<Selector> sel, Optional<Selector> nsSel) {
        return new EntityRule(nets, notNets, sel, notSelector, nsSel, ports, notPorts);
    }

    public EntityRule withPorts(List<PortSpec> p) {
        return new EntityRule(nets, notNets, selector, notSelector, namespaceSelector, p, notPorts);
    }
}
