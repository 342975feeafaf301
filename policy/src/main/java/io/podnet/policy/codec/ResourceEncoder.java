package io.podnet.policy.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.policy.model.CalicoPolicy;
import io.podnet.policy.model.Direction;
import io.podnet.policy.model.EntityRule;
import io.podnet.policy.model.GlobalNetworkSet;
import io.podnet.policy.model.Icmp;
import io.podnet.policy.model.K8sNetworkPolicy;
import io.podnet.policy.model.LabelSelector;
import io.podnet.policy.model.NamedPort;
import io.podnet.policy.model.Namespace;
import io.podnet.policy.model.PortSpec;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.Rule;
import io.podnet.policy.model.WorkloadEndpoint;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resources back to their API shape (what {@link ResourceDecoder} reads: {@code decode(encode(r))} equals
 * {@code r}), with defaults made explicit ({@code policyTypes}, {@code types}, protocols) and selectors in
 * canonical text.
 */
public final class ResourceEncoder {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final ObjectMapper YAML = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

    private ResourceEncoder() {}

    /** Several resources as YAML documents separated by {@code ---}. */
    public static String toYaml(List<? extends Resource> resources) {
        StringBuilder sb = new StringBuilder();
        for (Resource r : resources) {
            if (!sb.isEmpty()) sb.append("---\n");
            try {
                sb.append(YAML.writeValueAsString(encode(r)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a tree of plain nodes always serialises", e);
            }
        }
        return sb.toString();
    }

    /** One resource as indented JSON. */
    public static String toJson(Resource r) {
        try {
            return JSON.writeValueAsString(encode(r));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serialises", e);
        }
    }

    public static ObjectNode encode(Resource r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", r.key().kind().apiVersion());
        o.put("kind", r.key().kind().kind());
        ObjectNode meta = o.putObject("metadata");
        meta.put("name", r.key().name());
        r.key().namespace().ifPresent(n -> meta.put("namespace", n));
        switch (r) {
            case Namespace n -> labels(meta, n.labels());
            case GlobalNetworkSet s -> {
                labels(meta, s.labels());
                ArrayNode nets = o.putObject("spec").putArray("nets");
                s.nets().forEach(p -> nets.add(p.toString()));
            }
            case WorkloadEndpoint e -> {
                labels(meta, e.labels());
                endpoint(o.putObject("spec"), e);
            }
            case K8sNetworkPolicy p -> k8s(o.putObject("spec"), p);
            case CalicoPolicy p -> calico(o.putObject("spec"), p);
        }
        return o;
    }

    private static void labels(ObjectNode meta, Map<String, String> labels) {
        if (labels.isEmpty()) return;
        ObjectNode l = meta.putObject("labels");
        labels.forEach(l::put);
    }

    private static void endpoint(ObjectNode spec, WorkloadEndpoint e) {
        spec.put("node", e.node());
        spec.put("interfaceName", e.interfaceName());
        ArrayNode nets = spec.putArray("ipNetworks");
        for (IpAddress a : e.addresses()) nets.add(IpPrefix.host(a).toString());
        if (!e.ports().isEmpty()) {
            ArrayNode ports = spec.putArray("ports");
            for (NamedPort p : e.ports()) ports.addObject().put("name", p.name()).put("protocol", p.protocol().toString()).put("port", p.port());
        }
    }

    private static void k8s(ObjectNode spec, K8sNetworkPolicy p) {
        labelSelector(spec.putObject("podSelector"), p.podSelector());
        ArrayNode types = spec.putArray("policyTypes");
        for (Direction d : Direction.values()) if (p.policyTypes().contains(d)) types.add(d.apiName());
        for (Direction d : Direction.values()) {
            if (p.rules(d).isEmpty()) continue;
            ArrayNode rules = spec.putArray(d == Direction.INGRESS ? "ingress" : "egress");
            for (K8sNetworkPolicy.PolicyRule r : p.rules(d)) {
                ObjectNode ro = rules.addObject();
                if (!r.peers().isEmpty()) {
                    ArrayNode peers = ro.putArray(d == Direction.INGRESS ? "from" : "to");
                    for (K8sNetworkPolicy.Peer peer : r.peers()) peer(peers.addObject(), peer);
                }
                if (!r.ports().isEmpty()) {
                    ArrayNode ports = ro.putArray("ports");
                    for (K8sNetworkPolicy.Port port : r.ports()) {
                        ObjectNode po = ports.addObject().put("protocol", port.protocol().toString());
                        port.port().ifPresent(s -> {
                            switch (s) {
                                case PortSpec.Named n -> po.put("port", n.name());
                                case PortSpec.Range range -> {
                                    po.put("port", range.min());
                                    if (!range.isSingle()) po.put("endPort", range.max());
                                }
                            }
                        });
                    }
                }
            }
        }
    }

    private static void peer(ObjectNode o, K8sNetworkPolicy.Peer peer) {
        switch (peer) {
            case K8sNetworkPolicy.IpBlock b -> {
                ObjectNode ib = o.putObject("ipBlock").put("cidr", b.cidr().toString());
                if (!b.except().isEmpty()) {
                    ArrayNode ex = ib.putArray("except");
                    b.except().forEach(e -> ex.add(e.toString()));
                }
            }
            case K8sNetworkPolicy.PodPeer pp -> {
                pp.podSelector().ifPresent(s -> labelSelector(o.putObject("podSelector"), s));
                pp.namespaceSelector().ifPresent(s -> labelSelector(o.putObject("namespaceSelector"), s));
            }
        }
    }

    private static void labelSelector(ObjectNode o, LabelSelector s) {
        if (!s.matchLabels().isEmpty()) {
            ObjectNode ml = o.putObject("matchLabels");
            s.matchLabels().forEach(ml::put);
        }
        if (!s.matchExpressions().isEmpty()) {
            ArrayNode me = o.putArray("matchExpressions");
            for (LabelSelector.Requirement r : s.matchExpressions()) {
                ObjectNode ro = me.addObject().put("key", r.key()).put("operator", r.operator().apiName());
                if (!r.values().isEmpty()) {
                    ArrayNode v = ro.putArray("values");
                    r.values().forEach(v::add);
                }
            }
        }
    }

    private static void calico(ObjectNode spec, CalicoPolicy p) {
        p.order().ifPresent(o -> spec.put("order", o));
        spec.put("selector", p.selector().toString());
        p.namespaceSelector().ifPresent(s -> spec.put("namespaceSelector", s.toString()));
        ArrayNode types = spec.putArray("types");
        for (Direction d : Direction.values()) if (p.types().contains(d)) types.add(d.apiName());
        for (Direction d : Direction.values()) {
            if (p.rules(d).isEmpty()) continue;
            ArrayNode rules = spec.putArray(d == Direction.INGRESS ? "ingress" : "egress");
            for (Rule r : p.rules(d)) rule(rules.addObject(), r);
        }
    }

    private static void rule(ObjectNode o, Rule r) {
        o.put("action", r.action().apiName());
        r.ipVersion().ifPresent(v -> o.put("ipVersion", v == io.podnet.net.IpFamily.V4 ? 4 : 6));
        r.protocol().ifPresent(p -> protocol(o, "protocol", p));
        r.notProtocol().ifPresent(p -> protocol(o, "notProtocol", p));
        r.icmp().ifPresent(i -> icmp(o.putObject("icmp"), i));
        r.notIcmp().ifPresent(i -> icmp(o.putObject("notICMP"), i));
        if (!r.source().equals(EntityRule.ANY)) entity(o.putObject("source"), r.source());
        if (!r.destination().equals(EntityRule.ANY)) entity(o.putObject("destination"), r.destination());
    }

    private static void protocol(ObjectNode o, String field, Protocol p) {
        String name = p.toString();
        if (name.chars().allMatch(Character::isDigit)) o.put(field, p.number());
        else o.put(field, name);
    }

    private static void icmp(ObjectNode o, Icmp i) {
        o.put("type", i.type());
        i.code().ifPresent(c -> o.put("code", c));
    }

    private static void entity(ObjectNode o, EntityRule e) {
        nets(o, "nets", e.nets());
        nets(o, "notNets", e.notNets());
        selector(o, "selector", e.selector());
        selector(o, "notSelector", e.notSelector());
        selector(o, "namespaceSelector", e.namespaceSelector());
        ports(o, "ports", e.ports());
        ports(o, "notPorts", e.notPorts());
    }

    private static void nets(ObjectNode o, String field, List<IpPrefix> nets) {
        if (nets.isEmpty()) return;
        ArrayNode a = o.putArray(field);
        nets.forEach(n -> a.add(n.toString()));
    }

    private static void selector(ObjectNode o, String field, Optional<io.podnet.selector.Selector> s) {
        s.ifPresent(v -> o.put(field, v.toString()));
    }

    private static void ports(ObjectNode o, String field, List<PortSpec> ports) {
        if (ports.isEmpty()) return;
        ArrayNode a = o.putArray(field);
        for (PortSpec p : ports) {
            switch (p) {
                case PortSpec.Range r when r.isSingle() -> a.add(r.min());
                case PortSpec.Range r -> a.add(r.toString());
                case PortSpec.Named n -> a.add(n.name());
            }
        }
    }
}
