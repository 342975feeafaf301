package io.podnet.policy.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.policy.model.FieldError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * A JSON object being read, with its field path ({@code spec.ingress[0]}) and the error list it reports to.
 * Readers never throw on bad input: they record a {@link FieldError} naming the field and return empty, so one
 * pass reports every problem of a resource.
 */
final class Obj {
    private final JsonNode node;
    private final String path;
    private final List<FieldError> errors;

    Obj(JsonNode node, String path, List<FieldError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    String path() { return path; }

    String child(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    List<FieldError> errors() { return errors; }

    void error(String field, JsonNode value, String problem) {
        errors.add(new FieldError(field, value == null ? null : value.toString(), problem));
    }

    void error(String field, String valueText, String problem) {
        errors.add(new FieldError(field, valueText, problem));
    }

    void error(String field, String problem) {
        errors.add(new FieldError(field, null, problem));
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    JsonNode raw(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    /** Records an error for every field not in {@code known}. */
    void only(Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) error(child(f), "unknown field");
        }
    }

    /** Fields podnet does not implement: an error unless absent, null or empty / false. */
    void unsupported(String... fields) {
        for (String f : fields) {
            JsonNode v = raw(f);
            if (v == null || (v.isBoolean() && !v.booleanValue()) || ((v.isArray() || v.isObject() || v.isTextual()) && v.isEmpty())) continue;
            if (v.isTextual() && v.textValue().isEmpty()) continue;
            error(child(f), v, "not supported by podnet");
        }
    }

    Optional<Obj> object(String field) {
        JsonNode v = raw(field);
        if (v == null) return Optional.empty();
        if (!v.isObject()) {
            error(child(field), v, "must be an object");
            return Optional.empty();
        }
        return Optional.of(new Obj(v, child(field), errors));
    }

    Optional<String> string(String field) {
        JsonNode v = raw(field);
        if (v == null) return Optional.empty();
        if (!v.isTextual()) {
            error(child(field), v, "must be a string");
            return Optional.empty();
        }
        return Optional.of(v.textValue());
    }

    Optional<Boolean> bool(String field) {
        JsonNode v = raw(field);
        if (v == null) return Optional.empty();
        if (!v.isBoolean()) {
            error(child(field), v, "must be true or false");
            return Optional.empty();
        }
        return Optional.of(v.booleanValue());
    }

    /** The elements of an array field, each read by {@code reader(node, path)}; failures are left out. */
    <T> List<T> list(String field, BiFunction<JsonNode, String, T> reader) {
        JsonNode v = raw(field);
        List<T> out = new ArrayList<>();
        if (v == null) return out;
        if (!v.isArray()) {
            error(child(field), v, "must be a list");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            T t = reader.apply(v.get(i), child(field) + "[" + i + "]");
            if (t != null) out.add(t);
        }
        return out;
    }

    /** Array elements that must be objects. */
    <T> List<T> objects(String field, java.util.function.Function<Obj, T> reader) {
        return list(field, (n, p) -> {
            if (!n.isObject()) {
                errors.add(new FieldError(p, n.toString(), "must be an object"));
                return null;
            }
            return reader.apply(new Obj(n, p, errors));
        });
    }

    /** Array elements that must be strings. */
    List<String> strings(String field) {
        return list(field, (n, p) -> {
            if (!n.isTextual()) {
                errors.add(new FieldError(p, n.toString(), "must be a string"));
                return null;
            }
            return n.textValue();
        });
    }

    /** A string-to-string map (labels, matchLabels). */
    Map<String, String> stringMap(String field) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode v = raw(field);
        if (v == null) return out;
        if (!v.isObject()) {
            error(child(field), v, "must be a map of strings");
            return out;
        }
        for (var it = v.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) error(child(field) + "." + e.getKey(), e.getValue(), "must be a string");
            else out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }
}
