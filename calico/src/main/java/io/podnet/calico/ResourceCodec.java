package io.podnet.calico;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Resources ⇄ Calico's JSON: {@code {"kind","apiVersion","metadata","spec"}} in that order. The stored form (etcd
 * value) drops {@code metadata.resourceVersion} (it is the key's mod revision); YAML output is for the CLI.
 */
public final class ResourceCodec {
    private final Kinds kinds;
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).disable(YAMLGenerator.Feature.SPLIT_LINES));

    public ResourceCodec(Kinds kinds) {
        this.kinds = kinds;
    }

    public Kinds kinds() { return kinds; }

    /** The tree of one resource, metadata as given. */
    public ObjectNode tree(Resource r) {
        ObjectNode o = json.createObjectNode();
        o.put("kind", r.kind().name());
        o.put("apiVersion", Resource.API_VERSION);
        o.set("metadata", json.valueToTree(r.metadata()));
        o.set("spec", r.spec() == null ? json.createObjectNode() : json.valueToTree(r.spec()));
        return o;
    }

    /** The etcd value: compact JSON without {@code resourceVersion}. */
    public byte[] encodeStored(Resource r) {
        return tree(r.withMetadata(r.metadata().withResourceVersion(null))).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Pretty JSON of one resource or, for several, a {@code <Kind>List}. */
    public String toJson(JsonNode node) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toYaml(JsonNode node) {
        try {
            return yaml.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** calicoctl's list form: {@code {"apiVersion", "items": [...], "kind": "<Kind>List", "metadata": {resourceVersion}}}. */
    public ObjectNode list(Kind<?> kind, List<? extends Resource> items, long revision) {
        ObjectNode o = json.createObjectNode();
        o.put("apiVersion", Resource.API_VERSION);
        var arr = o.putArray("items");
        items.forEach(r -> arr.add(tree(r)));
        o.put("kind", kind.name() + "List");
        o.putObject("metadata").put("resourceVersion", Long.toString(revision));
        return o;
    }

    /** Decodes a stored value; the resourceVersion is the key's mod revision. */
    public Resource decodeStored(byte[] value, long modRevision, String where) {
        try {
            JsonNode n = json.readTree(value);
            if (!(n instanceof ObjectNode o)) throw new IllegalArgumentException(where + ": not a JSON object");
            Resource r = decode(o, where);
            return r.withMetadata(r.metadata().withResourceVersion(Long.toString(modRevision)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * One document: {@code apiVersion} must be {@code projectcalico.org/v3}, {@code kind} one of the list; unknown
     * fields are refused naming them. Not validated (call {@link Resource#validated()}).
     */
    public Resource decode(ObjectNode doc, String where) {
        String api = doc.path("apiVersion").asText("");
        String kindName = doc.path("kind").asText("");
        String name = doc.path("metadata").path("name").asText("");
        if (kindName.isEmpty()) throw new ResourceValidationException("?", name, "kind", where + ": is required");
        Kind<?> kind = kinds.byName(kindName).orElseThrow(() -> new ResourceValidationException(kindName, name, "kind",
                where + ": \"" + kindName + "\" is not one of " + kinds.names()));
        if (!Resource.API_VERSION.equals(api)) {
            throw new ResourceValidationException(kindName, name, "apiVersion", where + ": \"" + api + "\" is not " + Resource.API_VERSION);
        }
        var it = doc.fieldNames();
        while (it.hasNext()) {
            String f = it.next();
            if (!List.of("apiVersion", "kind", "metadata", "spec", "status").contains(f)) {
                throw new ResourceValidationException(kindName, name, f, where + ": unknown field");
            }
        }
        ObjectMeta meta = field(doc.path("metadata"), ObjectMeta.class, kindName, name, "metadata", where);
        if (meta == null) meta = ObjectMeta.named(null);
        JsonNode specNode = doc.get("spec");
        Object spec = specNode == null || specNode.isNull() ? null : field(specNode, kind.specType(), kindName, name, "spec", where);
        return kind.build(meta, spec);
    }

    private <T> T field(JsonNode node, Class<T> type, String kind, String name, String path, String where) {
        if (node.isMissingNode() || node.isNull()) return null;
        try {
            return json.treeToValue(node, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ResourceValidationException(kind, name, path + pathOf(e), where + ": unknown field");
        } catch (InvalidFormatException | ValueInstantiationException e) {
            String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getOriginalMessage();
            throw new ResourceValidationException(kind, name, path + pathOf(e), where + ": " + why);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new ResourceValidationException(kind, name, path + pathOf(e), where + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new ResourceValidationException(kind, name, path, where + ": " + e.getOriginalMessage());
        }
    }

    private static String pathOf(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) b.append('.').append(ref.getFieldName());
            else if (ref.getIndex() >= 0) b.append('[').append(ref.getIndex()).append(']');
        }
        return b.toString();
    }

    ObjectMapper jsonMapper() { return json; }

    ObjectMapper yamlMapper() { return yaml; }
}
