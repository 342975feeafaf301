package io.podnet.policy.model;

import io.podnet.net.IpPrefix;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A Kubernetes {@code networking.k8s.io/v1} NetworkPolicy. It selects pods of its namespace
 * ({@code podSelector}) and, for each direction in {@code policyTypes}, isolates them: only traffic matching one
 * of its rules (or a rule of another policy selecting the pod) is allowed. {@code policyTypes} is never empty:
 * the decoder applies the API's defaulting ({@link #defaultPolicyTypes}). Empty and absent {@code from}/{@code to}
 * and {@code ports} mean the same ("everything"); both are held as empty lists.
 */
public record K8sNetworkPolicy(String namespace, String name, LabelSelector podSelector, Set<Direction> policyTypes,
                               List<PolicyRule> ingress, List<PolicyRule> egress) implements Resource {

    public K8sNetworkPolicy {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(podSelector, "podSelector");
        if (policyTypes.isEmpty()) throw new IllegalArgumentException("policyTypes must not be empty");
        policyTypes = Set.copyOf(EnumSet.copyOf(policyTypes));
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    /** Kubernetes' default for absent {@code policyTypes}: always Ingress, plus Egress when there are egress rules. */
    public static Set<Direction> defaultPolicyTypes(List<PolicyRule> egress) {
        return egress.isEmpty() ? Set.of(Direction.INGRESS) : Set.of(Direction.INGRESS, Direction.EGRESS);
    }

    public List<PolicyRule> rules(Direction d) {
        return d == Direction.INGRESS ? ingress : egress;
    }

    @Override
    public ResourceKey key() {
        return new ResourceKey(Kind.K8S_NETWORK_POLICY, Optional.of(namespace), name);
    }

    /** An ingress or egress rule: the peers ({@code from} or {@code to}; ORed) and the ports (ORed); empty = all. */
    public record PolicyRule(List<Peer> peers, List<Port> ports) {
        public PolicyRule {
            peers = List.copyOf(peers);
            ports = List.copyOf(ports);
        }
    }

    /** A peer: pods (and/or namespaces) by label, or an address block. */
    public sealed interface Peer permits PodPeer, IpBlock {}

    /**
     * Pods selected by {@code podSelector} in the namespaces selected by {@code namespaceSelector} (both present:
     * AND); {@code podSelector} alone selects in the policy's namespace, {@code namespaceSelector} alone selects all
     * pods of the selected namespaces. At least one is present.
     */
    public record PodPeer(Optional<LabelSelector> podSelector, Optional<LabelSelector> namespaceSelector) implements Peer {
        public PodPeer {
            if (podSelector.isEmpty() && namespaceSelector.isEmpty()) throw new IllegalArgumentException("a peer needs a selector");
        }
    }

    /** {@code cidr} minus each {@code except} (strict subsets of it). */
    public record IpBlock(IpPrefix cidr, List<IpPrefix> except) implements Peer {
        public IpBlock {
            Objects.requireNonNull(cidr, "cidr");
            except = List.copyOf(except);
            for (IpPrefix e : except) {
                if (!cidr.contains(e) || e.length() <= cidr.length()) throw new IllegalArgumentException(e + " is not a strict subset of " + cidr);
            }
        }
    }

    /**
     * A port entry: the protocol (default TCP), and optionally a port (a number, a range from {@code port} to
     * {@code endPort}, or a name resolved on the destination pod). Absent port: every port of the protocol.
     */
    public record Port(Protocol protocol, Optional<PortSpec> port) {
        public Port {
            Objects.requireNonNull(protocol, "protocol");
            Objects.requireNonNull(port, "port");
            if (!protocol.equals(Protocol.TCP) && !protocol.equals(Protocol.UDP) && !protocol.equals(Protocol.SCTP)) {
                throw new IllegalArgumentException("protocol must be TCP, UDP or SCTP: " + protocol);
            }
        }
    }
}
