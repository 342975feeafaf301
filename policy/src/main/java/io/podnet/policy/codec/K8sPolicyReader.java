package io.podnet.policy.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpPrefix;
import io.podnet.policy.model.Direction;
import io.podnet.policy.model.FieldError;
import io.podnet.policy.model.K8sNetworkPolicy;
import io.podnet.policy.model.LabelSelector;
import io.podnet.policy.model.PortSpec;
import io.podnet.policy.model.Protocol;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a {@code networking.k8s.io/v1} NetworkPolicy spec with the API server's validation
 * ({@code pkg/apis/networking/validation}) and defaulting: protocol TCP, {@code policyTypes} from the rules.
 */
final class K8sPolicyReader {
    private K8sPolicyReader() {}

    static K8sNetworkPolicy read(String namespace, String name, Obj spec) {
        int before = spec.errors().size();
        spec.only(Set.of("podSelector", "policyTypes", "ingress", "egress"));
        LabelSelector podSelector = spec.object("podSelector").map(K8sPolicyReader::labelSelector).orElse(LabelSelector.EVERYTHING);
        List<K8sNetworkPolicy.PolicyRule> ingress = spec.objects("ingress", r -> rule(r, "from"));
        List<K8sNetworkPolicy.PolicyRule> egress = spec.objects("egress", r -> rule(r, "to"));
        Set<Direction> types = policyTypes(spec, egress);
        if (spec.errors().size() > before || podSelector == null) return null;
        return new K8sNetworkPolicy(namespace, name, podSelector, types, ingress, egress);
    }

    private static Set<Direction> policyTypes(Obj spec, List<K8sNetworkPolicy.PolicyRule> egress) {
        Set<Direction> types = Syntax.directions(spec, "policyTypes");
        // Absent and explicitly empty are defaulted alike (the API server does the same).
        return types.isEmpty() ? K8sNetworkPolicy.defaultPolicyTypes(egress) : types;
    }

    private static K8sNetworkPolicy.PolicyRule rule(Obj r, String peerField) {
        r.only(Set.of(peerField, "ports"));
        List<K8sNetworkPolicy.Peer> peers = r.objects(peerField, K8sPolicyReader::peer);
        List<K8sNetworkPolicy.Port> ports = r.objects("ports", K8sPolicyReader::port);
        return new K8sNetworkPolicy.PolicyRule(peers, ports);
    }

    private static K8sNetworkPolicy.Peer peer(Obj p) {
        p.only(Set.of("podSelector", "namespaceSelector", "ipBlock"));
        int before = p.errors().size();
        Optional<LabelSelector> pods = p.object("podSelector").map(K8sPolicyReader::labelSelector);
        Optional<LabelSelector> namespaces = p.object("namespaceSelector").map(K8sPolicyReader::labelSelector);
        Optional<K8sNetworkPolicy.IpBlock> block = p.object("ipBlock").map(K8sPolicyReader::ipBlock);
        if (p.errors().size() > before) return null;
        boolean selectors = p.has("podSelector") || p.has("namespaceSelector");
        if (p.has("ipBlock") && selectors) {
            p.error(p.path(), "Forbidden: may not specify both ipBlock and another peer");
            return null;
        }
        if (block.isPresent()) return block.get();
        if (!selectors) {
            p.error(p.path(), "Required value: must specify a peer");
            return null;
        }
        return new K8sNetworkPolicy.PodPeer(pods, namespaces);
    }

    private static K8sNetworkPolicy.IpBlock ipBlock(Obj b) {
        b.only(Set.of("cidr", "except"));
        if (!b.has("cidr")) {
            b.error(b.child("cidr"), "Required value");
            return null;
        }
        Optional<IpPrefix> cidr = Syntax.cidr(b.raw("cidr"), b.child("cidr"), false, b.errors());
        List<IpPrefix> except = b.list("except", (n, path) -> {
            Optional<IpPrefix> e = Syntax.cidr(n, path, false, b.errors());
            if (e.isPresent() && cidr.isPresent() && (!cidr.get().contains(e.get()) || e.get().length() <= cidr.get().length())) {
                b.errors().add(new FieldError(path, n.toString(), "must be a strict subset of `cidr`"));
                return null;
            }
            return e.orElse(null);
        });
        if (cidr.isEmpty() || except.size() != sizeOf(b.raw("except"))) return null;
        return new K8sNetworkPolicy.IpBlock(cidr.get(), except);
    }

    private static int sizeOf(JsonNode n) {
        return n == null || !n.isArray() ? 0 : n.size();
    }

    private static K8sNetworkPolicy.Port port(Obj p) {
        p.only(Set.of("protocol", "port", "endPort"));
        int before = p.errors().size();
        Protocol protocol = Protocol.TCP;
        Optional<String> proto = p.string("protocol");
        if (proto.isPresent()) {
            protocol = switch (proto.get()) {
                case "TCP" -> Protocol.TCP;
                case "UDP" -> Protocol.UDP;
                case "SCTP" -> Protocol.SCTP;
                default -> {
                    p.error(p.child("protocol"), p.raw("protocol"), "Unsupported value: supported values: \"SCTP\", \"TCP\", \"UDP\"");
                    yield null;
                }
            };
        }
        JsonNode port = p.raw("port");
        JsonNode endPort = p.raw("endPort");
        PortSpec spec = null;
        if (port == null) {
            if (endPort != null) p.error(p.child("endPort"), endPort, "may not be specified when `port` is not specified");
        } else if (port.isIntegralNumber()) {
            int n = port.asInt();
            if (n < 1 || n > 65535 || !port.canConvertToInt()) p.error(p.child("port"), port, "must be between 1 and 65535, inclusive");
            int end = n;
            if (endPort != null) {
                if (!endPort.isIntegralNumber() || endPort.asInt() < 1 || endPort.asInt() > 65535) {
                    p.error(p.child("endPort"), endPort, "must be between 1 and 65535, inclusive");
                } else if (endPort.asInt() < n) {
                    p.error(p.child("endPort"), endPort, "must be greater than or equal to `port`");
                } else {
                    end = endPort.asInt();
                }
            }
            if (p.errors().size() == before) spec = new PortSpec.Range(n, end);
        } else if (port.isTextual()) {
            String problem = Syntax.portNameProblem(port.textValue());
            if (problem != null) p.error(p.child("port"), port, problem);
            if (endPort != null) p.error(p.child("endPort"), endPort, "may not be specified when `port` is non-numeric");
            if (p.errors().size() == before) spec = new PortSpec.Named(port.textValue());
        } else {
            p.error(p.child("port"), port, "must be a port number or a port name");
        }
        if (p.errors().size() > before) return null;
        return new K8sNetworkPolicy.Port(protocol, Optional.ofNullable(spec));
    }

    /** A Kubernetes label selector, validated as {@code metav1/validation.ValidateLabelSelector}. */
    static LabelSelector labelSelector(Obj s) {
        s.only(Set.of("matchLabels", "matchExpressions"));
        int before = s.errors().size();
        Map<String, String> labels = s.stringMap("matchLabels");
        Syntax.labels(labels, s.child("matchLabels"), s.errors());
        List<LabelSelector.Requirement> reqs = s.objects("matchExpressions", K8sPolicyReader::requirement);
        if (s.errors().size() > before) return null;
        return new LabelSelector(new TreeMap<>(labels), reqs);
    }

    private static LabelSelector.Requirement requirement(Obj r) {
        r.only(Set.of("key", "operator", "values"));
        int before = r.errors().size();
        Optional<String> key = r.string("key");
        if (key.isEmpty()) {
            if (!r.has("key")) r.error(r.child("key"), "Required value");
        } else {
            String problem = Syntax.labelKeyProblem(key.get());
            if (problem != null) r.error(r.child("key"), r.raw("key"), problem);
        }
        LabelSelector.Operator op = null;
        Optional<String> opText = r.string("operator");
        if (opText.isEmpty()) {
            if (!r.has("operator")) r.error(r.child("operator"), "Required value");
        } else {
            op = LabelSelector.Operator.ofApiName(opText.get());
            if (op == null) r.error(r.child("operator"), r.raw("operator"), "not a valid selector operator (In, NotIn, Exists, DoesNotExist)");
        }
        List<String> values = r.strings("values");
        for (int i = 0; i < values.size(); i++) {
            String problem = Syntax.labelValueProblem(values.get(i));
            if (problem != null) r.error(r.child("values") + "[" + i + "]", "\"" + values.get(i) + "\"", problem);
        }
        if (op != null) {
            boolean needs = op == LabelSelector.Operator.IN || op == LabelSelector.Operator.NOT_IN;
            if (needs && values.isEmpty()) r.error(r.child("values"), "Required value: must be specified when `operator` is 'In' or 'NotIn'");
            if (!needs && !values.isEmpty()) r.error(r.child("values"), "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        }
        if (r.errors().size() > before) return null;
        return new LabelSelector.Requirement(key.get(), op, new TreeSet<>(values));
    }
}
