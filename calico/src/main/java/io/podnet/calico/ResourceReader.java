package io.podnet.calico;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the files {@code podnet apply|create|replace|delete -f} take: YAML with several documents ({@code ---}),
 * a JSON object, a JSON array, or a {@code <Kind>List}/{@code List} with {@code items}. Every document is decoded
 * (not validated); the first bad one fails the whole file, naming it ("file.yaml: document 2: ...").
 */
public final class ResourceReader {
    private final ResourceCodec codec;

    public ResourceReader(ResourceCodec codec) {
        this.codec = codec;
    }

    public List<Resource> read(String text, String source) {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = codec.yamlMapper().readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n == null || n.isNull() || n.isMissingNode()) continue;
                if (n.isArray()) n.forEach(docs::add);
                else docs.add(n);
            }
        } catch (IOException | RuntimeException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException(source + ": not YAML or JSON: " + msg, e);
        }
        List<Resource> out = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            String where = source + ": document " + (i + 1);
            if (!(docs.get(i) instanceof ObjectNode o)) throw new IllegalArgumentException(where + ": not an object");
            String kind = o.path("kind").asText("");
            if (kind.equals("List") || (kind.endsWith("List") && o.has("items"))) {
                JsonNode items = o.path("items");
                for (int j = 0; j < items.size(); j++) {
                    if (!(items.get(j) instanceof ObjectNode item)) throw new IllegalArgumentException(where + ": items[" + j + "]: not an object");
                    out.add(codec.decode(item, where + " items[" + j + "]"));
                }
            } else {
                out.add(codec.decode(o, where));
            }
        }
        return out;
    }

}
