package io.podnet.cni.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** JSON helpers shared by the config and result codecs: typed field access with CNI error codes naming the field. */
public final class Json {
    /** Configured once, then only read: ObjectMapper is thread-safe for reading and writing trees. */
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    /** Parses a JSON object; syntax errors and non-objects are code 6 (decoding failure). */
    public static ObjectNode parseObject(byte[] bytes, String what) throws CniException {
        JsonNode n;
        try {
            n = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new CniException(CniErrorCode.DECODING_FAILURE, "failed to decode " + what + ": " + firstLine(e), "");
        }
        if (!(n instanceof ObjectNode o)) {
            throw new CniException(CniErrorCode.DECODING_FAILURE, "failed to decode " + what + ": not a JSON object", "");
        }
        return o;
    }

    public static byte[] write(JsonNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("tree serialisation cannot fail", e);
        }
    }

    private static String firstLine(IOException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    static CniException invalid(String field, String problem) {
        return new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "invalid network config: " + field + ": " + problem, "");
    }

    /** An optional string field; present but not a string is code 7. */
    public static Optional<String> string(JsonNode o, String key, String path) throws CniException {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw invalid(path + key, "must be a string, got " + v.getNodeType());
        return Optional.of(v.asText());
    }

    public static boolean bool(JsonNode o, String key, String path) throws CniException {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw invalid(path + key, "must be a boolean, got " + v.getNodeType());
        return v.asBoolean();
    }

    /** An optional unsigned integer field. */
    public static Optional<Long> unsigned(JsonNode o, String key, String path) throws CniException {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
            throw invalid(path + key, "must be an unsigned integer, got " + v);
        }
        return Optional.of(v.asLong());
    }

    public static List<String> strings(JsonNode o, String key, String path) throws CniException {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw invalid(path + key, "must be a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) throw invalid(path + key, "must be a list of strings, found " + e);
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    public static Optional<ObjectNode> object(JsonNode o, String key, String path) throws CniException {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) return Optional.empty();
        if (!(v instanceof ObjectNode obj)) throw invalid(path + key, "must be an object");
        return Optional.of(obj);
    }

    public static List<JsonNode> array(JsonNode o, String key, String path) throws CniException {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw invalid(path + key, "must be a list");
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }
}
