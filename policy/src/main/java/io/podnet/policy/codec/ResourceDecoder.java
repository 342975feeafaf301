package io.podnet.policy.codec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.policy.model.FieldError;
import io.podnet.policy.model.GlobalNetworkSet;
import io.podnet.policy.model.InvalidResourceException;
import io.podnet.policy.model.Kind;
import io.podnet.policy.model.NamedPort;
import io.podnet.policy.model.Namespace;
import io.podnet.policy.model.Protocol;
import io.podnet.policy.model.Resource;
import io.podnet.policy.model.WorkloadEndpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Policy resources from YAML or JSON text, as {@code kubectl apply -f} and {@code calicoctl apply -f} take them:
 * several YAML documents ({@code ---}), a JSON object or array, or a {@code kind: List} with {@code items}.
 * Kinds: {@code networking.k8s.io/v1} NetworkPolicy; {@code projectcalico.org/v3} NetworkPolicy,
 * GlobalNetworkPolicy, GlobalNetworkSet, WorkloadEndpoint; {@code v1} Namespace. Every resource is validated as
 * the Kubernetes API server or calicoctl would; the first invalid one is refused with all its field errors
 * ({@link InvalidResourceException}). Unknown fields are errors (metadata other than name, namespace and labels
 * is ignored, as is {@code status}).
 */
public final class ResourceDecoder {
    private static final ObjectMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private ResourceDecoder() {}

    /** Every resource in {@code text}; namespaced kinds without {@code metadata.namespace} get {@code defaultNamespace}. */
    public static List<Resource> decode(String text, String defaultNamespace) throws InvalidResourceException {
        List<JsonNode> docs = documents(text);
        List<Resource> out = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            JsonNode d = docs.get(i);
            if (d == null || d.isNull() || (d.isObject() && d.isEmpty())) continue; // empty YAML document
            if (d.isObject() && "List".equals(d.path("kind").asText()) && d.has("items")) {
                JsonNode items = d.get("items");
                for (int j = 0; j < items.size(); j++) out.add(decode(items.get(j), defaultNamespace, "document " + (i + 1) + " item " + j));
            } else {
                out.add(decode(d, defaultNamespace, "document " + (i + 1)));
            }
        }
        return out;
    }

    /** One resource from its JSON tree. */
    public static Resource decode(JsonNode doc, String defaultNamespace, String where) throws InvalidResourceException {
        List<FieldError> errors = new ArrayList<>();
        if (!doc.isObject()) throw new InvalidResourceException(where, List.of(new FieldError("", doc.toString(), "a resource must be an object")));
        Obj root = new Obj(doc, "", errors);
        String apiVersion = root.string("apiVersion").orElse("");
        String kindText = root.string("kind").orElse("");
        Kind kind = Kind.of(apiVersion, kindText);
        if (kind == null) {
            if (!root.has("kind")) errors.add(new FieldError("kind", null, "Required value"));
            else errors.add(new FieldError("apiVersion", "\"" + apiVersion + "\"", "unsupported apiVersion/kind for " + kindText
                    + " (networking.k8s.io/v1 NetworkPolicy; projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy, GlobalNetworkSet, WorkloadEndpoint; v1 Namespace)"));
            throw new InvalidResourceException(where, errors);
        }
        root.only(Set.of("apiVersion", "kind", "metadata", "spec", "status"));
        Obj meta = root.object("metadata").orElse(new Obj(JSON.createObjectNode(), "metadata", errors));
        String name = meta.string("name").orElse("");
        if (name.isEmpty()) errors.add(new FieldError("metadata.name", null, "Required value: name is required"));
        else if (kind == Kind.NAMESPACE ? !Syntax.dnsLabel(name) : !Syntax.dnsSubdomain(name)) {
            errors.add(new FieldError("metadata.name", "\"" + name + "\"", kind == Kind.NAMESPACE
                    ? "must be a DNS label (lower case alphanumerics and '-', at most 63)" : "must be a DNS subdomain (lower case alphanumerics, '-' and '.')"));
        }
        Optional<String> namespace = Optional.empty();
        if (kind.namespaced()) {
            String ns = meta.string("namespace").orElse(defaultNamespace);
            if (!Syntax.dnsLabel(ns)) errors.add(new FieldError("metadata.namespace", "\"" + ns + "\"", "must be a DNS label"));
            namespace = Optional.of(ns);
        } else if (meta.has("namespace")) {
            errors.add(new FieldError("metadata.namespace", meta.raw("namespace").toString(), "a " + kindText + " is not namespaced"));
        }
        Map<String, String> labels = meta.stringMap("labels");
        Syntax.labels(labels, "metadata.labels", errors);
        String id = kindText + " " + namespace.map(n -> n + "/").orElse("") + (name.isEmpty() ? "(" + where + ")" : name);
        Obj spec = root.object("spec").orElse(new Obj(JSON.createObjectNode(), "spec", errors));
        Resource r = errors.isEmpty() ? read(kind, namespace, name, labels, spec) : null;
        if (!errors.isEmpty() || r == null) throw new InvalidResourceException(id, errors);
        return r;
    }

    private static Resource read(Kind kind, Optional<String> namespace, String name, Map<String, String> labels, Obj spec) {
        return switch (kind) {
            case K8S_NETWORK_POLICY -> K8sPolicyReader.read(namespace.orElseThrow(), name, spec);
            case CALICO_NETWORK_POLICY -> CalicoPolicyReader.read(namespace, name, spec);
            case GLOBAL_NETWORK_POLICY -> CalicoPolicyReader.read(Optional.empty(), name, spec);
            case GLOBAL_NETWORK_SET -> networkSet(name, labels, spec);
            case NAMESPACE -> new Namespace(name, labels);
            case WORKLOAD_ENDPOINT -> endpoint(namespace.orElseThrow(), name, labels, spec);
        };
    }

    private static GlobalNetworkSet networkSet(String name, Map<String, String> labels, Obj spec) {
        int before = spec.errors().size();
        spec.only(Set.of("nets"));
        List<IpPrefix> nets = spec.list("nets", (n, p) -> Syntax.cidr(n, p, true, spec.errors()).orElse(null));
        return spec.errors().size() > before ? null : new GlobalNetworkSet(name, labels, nets);
    }

    private static final Set<String> ENDPOINT_FIELDS = Set.of("node", "interfaceName", "ipNetworks", "ports", "pod", "orchestrator",
            "workload", "containerID", "endpoint", "serviceAccountName", "ipNATs", "ipv4Gateway", "ipv6Gateway", "profiles", "mac",
            "allowSpoofedSourcePrefixes", "qosControls");

    private static WorkloadEndpoint endpoint(String namespace, String name, Map<String, String> labels, Obj spec) {
        int before = spec.errors().size();
        spec.only(ENDPOINT_FIELDS);
        String node = spec.string("node").orElse("");
        if (node.isEmpty()) spec.error(spec.child("node"), "Required value");
        String iface = spec.string("interfaceName").orElse("");
        if (!WorkloadEndpoint.IFNAME.matcher(iface).matches()) spec.error(spec.child("interfaceName"), spec.raw("interfaceName"), "must be an interface name (1-15 characters)");
        List<IpAddress> addrs = spec.list("ipNetworks", (n, p) -> {
            if (!n.isTextual()) {
                spec.error(p, n, "must be an address or CIDR string");
                return null;
            }
            String t = n.textValue();
            try {
                return IpAddress.parse(t.indexOf('/') < 0 ? t : t.substring(0, t.indexOf('/')));
            } catch (IllegalArgumentException e) {
                spec.error(p, n, "must be an address or CIDR");
                return null;
            }
        });
        List<NamedPort> ports = spec.objects("ports", ResourceDecoder::namedPort);
        String pod = spec.string("pod").orElse(name);
        if (spec.errors().size() > before) return null;
        return new WorkloadEndpoint(namespace, pod, node, iface, addrs, labels, ports);
    }

    private static NamedPort namedPort(Obj p) {
        int before = p.errors().size();
        p.only(Set.of("name", "protocol", "port", "hostPort", "hostIP"));
        String name = p.string("name").orElse("");
        if (!io.podnet.policy.model.PortSpec.NAME.matcher(name).matches()) p.error(p.child("name"), p.raw("name"), "must be a port name");
        Protocol proto = p.string("protocol").map(Protocol::parse).orElse(Protocol.TCP);
        if (proto == null || !proto.hasPorts()) {
            p.error(p.child("protocol"), p.raw("protocol"), "must be TCP, UDP, SCTP or UDPLite");
        }
        JsonNode port = p.raw("port");
        if (port == null || !port.isIntegralNumber() || port.asInt() < 1 || port.asInt() > 65535) {
            p.error(p.child("port"), port, "must be between 1 and 65535, inclusive");
        }
        if (p.errors().size() > before) return null;
        return new NamedPort(name, proto, port.asInt());
    }

    private static List<JsonNode> documents(String text) throws InvalidResourceException {
        String t = text.strip();
        try {
            if (t.startsWith("{") || t.startsWith("[")) {
                JsonNode n = JSON.readTree(t);
                List<JsonNode> out = new ArrayList<>();
                if (n.isArray()) n.forEach(out::add);
                else out.add(n);
                return out;
            }
            List<JsonNode> out = new ArrayList<>();
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(t)) {
                while (it.hasNextValue()) out.add(it.nextValue());
            }
            return out;
        } catch (JsonParseException e) {
            throw new InvalidResourceException("input", List.of(new FieldError("", null, "not valid YAML or JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr())));
        } catch (JsonProcessingException e) {
            throw new InvalidResourceException("input", List.of(new FieldError("", null, "not valid YAML or JSON: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new InvalidResourceException("input", List.of(new FieldError("", null, "unreadable: " + e.getMessage())));
        }
    }
}
