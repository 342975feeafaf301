package io.podnet.policy.compile;

import io.podnet.policy.model.Action;
import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.Direction;
import io.podnet.policy.model.EntityRule;
import io.podnet.policy.model.K8sNetworkPolicy;
import io.podnet.policy.model.Kind;
import io.podnet.policy.model.LabelSelector;
import io.podnet.policy.model.PortSpec;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Rule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Kubernetes NetworkPolicy → Calico policy, as Calico itself converts them: a namespaced policy of order 1000
 * whose rules all Allow. One Kubernetes rule (peers ORed, ports ORed) becomes the cross product peers × protocols:
 * <ul>
 *   <li>a pod peer becomes a selector: {@code podSelector} alone selects in the policy's namespace,
 *       {@code namespaceSelector} alone every pod of the selected namespaces, both together the pods matching
 *       both (AND); separate peers stay separate rules (OR);</li>
 *   <li>an {@code ipBlock} becomes {@code nets: [cidr]} and {@code notNets: except};</li>
 *   <li>ports are grouped by protocol (a Calico rule has one protocol); a port entry without a port allows the
 *       whole protocol; {@code port}..{@code endPort} becomes a range; a named port stays named and is resolved on
 *       the destination endpoint (for ingress: the selected pod itself);</li>
 *   <li>no peers means any source (or destination); no ports means any protocol.</li>
 * </ul>
 */
final class K8sConversion {
    static final double ORDER = 1000;

    private K8sConversion() {}

    static Policy convert(K8sNetworkPolicy p) {
        List<Rule> ingress = new ArrayList<>();
        List<String> ingressNotes = new ArrayList<>();
        List<Rule> egress = new ArrayList<>();
        List<String> egressNotes = new ArrayList<>();
        for (int i = 0; i < p.ingress().size(); i++) rules(p.ingress().get(i), Direction.INGRESS, "ingress[" + i + "]", ingress, ingressNotes);
        for (int i = 0; i < p.egress().size(); i++) rules(p.egress().get(i), Direction.EGRESS, "egress[" + i + "]", egress, egressNotes);
        // Rules of a direction not in policyTypes are ignored, as Kubernetes ignores them.
        if (!p.policyTypes().contains(Direction.INGRESS)) {
            ingress.clear();
            ingressNotes.clear();
        }
        if (!p.policyTypes().contains(Direction.EGRESS)) {
            egress.clear();
            egressNotes.clear();
        }
        CalicoPolicy spec = new CalicoPolicy(Optional.of(p.namespace()), p.name(), OptionalDouble.of(ORDER),
                p.podSelector().toSelector(), Optional.empty(), p.policyTypes(), ingress, egress);
        return new Policy(Kind.K8S_NETWORK_POLICY, spec, ingressNotes, egressNotes);
    }

    private static void rules(K8sNetworkPolicy.PolicyRule r, Direction d, String where, List<Rule> out, List<String> notes) {
        String peerField = d == Direction.INGRESS ? "from" : "to";
        List<EntityRule> peers = new ArrayList<>();
        List<String> peerNotes = new ArrayList<>();
        if (r.peers().isEmpty()) {
            peers.add(EntityRule.ANY);
            peerNotes.add("");
        }
        for (int i = 0; i < r.peers().size(); i++) {
            peers.add(peer(r.peers().get(i)));
            peerNotes.add(" " + peerField + "[" + i + "]");
        }
        Map<Protocol, List<PortSpec>> byProtocol = new LinkedHashMap<>();
        for (K8sNetworkPolicy.Port port : r.ports()) {
            List<PortSpec> specs = byProtocol.computeIfAbsent(port.protocol(), k -> new ArrayList<>());
            if (port.port().isEmpty()) specs.add(null); // the whole protocol
            else if (!specs.contains(null)) specs.add(port.port().get());
        }
        for (int i = 0; i < peers.size(); i++) {
            EntityRule peer = peers.get(i);
            if (byProtocol.isEmpty()) {
                out.add(rule(d, peer, Optional.empty(), List.of()));
                notes.add(where + peerNotes.get(i));
                continue;
            }
            for (var e : byProtocol.entrySet()) {
                List<PortSpec> specs = e.getValue().contains(null) ? List.of() : List.copyOf(e.getValue());
                out.add(rule(d, peer, Optional.of(e.getKey()), specs));
                notes.add(where + peerNotes.get(i) + " ports " + e.getKey());
            }
        }
    }

    private static Rule rule(Direction d, EntityRule peer, Optional<Protocol> protocol, List<PortSpec> ports) {
        Rule r = Rule.of(Action.ALLOW);
        if (protocol.isPresent()) r = r.withProtocol(protocol.get());
        if (d == Direction.INGRESS) {
            return r.withSource(peer).withDestination(EntityRule.ANY.withPorts(ports));
        }
        return r.withDestination(peer.withPorts(ports));
    }

    private static EntityRule peer(K8sNetworkPolicy.Peer peer) {
        return switch (peer) {
            case K8sNetworkPolicy.IpBlock b -> EntityRule.ANY.withNets(List.of(b.cidr()), b.except());
            case K8sNetworkPolicy.PodPeer pp -> EntityRule.ANY.withSelectors(
                    pp.podSelector().map(LabelSelector::toSelector),
                    pp.namespaceSelector().map(LabelSelector::toSelector));
        };
    }
}
