package io.podnet.datastore.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.datastore.Compare;
import io.podnet.datastore.Event;
import io.podnet.datastore.KeyValue;
import io.podnet.datastore.Op;
import io.podnet.datastore.RangePage;
import io.podnet.datastore.Txn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The codec of etcd's v3 JSON gateway (grpc-gateway over etcdserverpb, {@code /v3/...}): datastore requests to
 * JSON and JSON answers to datastore records. Pure: no I/O.
 *
 * <p>The mapping is protobuf's JSON form as etcd 3.4 prints it: field names as in rpc.proto ({@code range_end},
 * {@code create_revision}), bytes as base64, int64 as decimal strings, fields at their default value left out (a
 * failed txn has no {@code succeeded}, a PUT event no {@code type}, a lease that is gone no {@code TTL}). A failed
 * call answers {@code {"error": text, "message": text, "code": grpcCode}}; inside a stream the error is
 * {@code {"error": {"grpc_code": n, "message": text, ...}}} and each message of a stream is one line
 * {@code {"result": {...}}}.
 */
final class EtcdJson {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    /** gRPC status codes etcd's errors carry. */
    static final int INVALID_ARGUMENT = 3;
    static final int NOT_FOUND = 5;
    static final int PERMISSION_DENIED = 7;
    static final int FAILED_PRECONDITION = 9;
    static final int OUT_OF_RANGE = 11;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private EtcdJson() {}

    /** An error answer: the gRPC code and etcd's text. */
    record Failure(int code, String message) {}

    /** One message of a watch stream. */
    sealed interface WatchMessage {
        /** The watch is registered; events from the requested revision follow. */
        record Created() implements WatchMessage {}

        /** Changes, in revision order (several revisions may share a message, one revision never spans two). */
        record Changes(List<Event> events) implements WatchMessage {}

        /** etcd ended the watch: the start revision was compacted ({@code compactRevision > 0}) or {@code reason}. */
        record Canceled(long compactRevision, String reason) implements WatchMessage {}

        /** The stream failed (no leader, auth, ...). */
        record Failed(Failure failure) implements WatchMessage {}

        /** Nothing to act on (a progress notification). */
        record Progress(long revision) implements WatchMessage {}
    }

    static String b64(String s) { return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8)); }

    static String b64(byte[] b) { return B64.encodeToString(b); }

    /** {@code /v3/kv/range} of {@code [key, rangeEnd)} (rangeEnd null = the one key). */
    static String range(byte[] key, byte[] rangeEnd, long limit, long revision, boolean countOnly) {
        ObjectNode n = JSON.createObjectNode().put("key", b64(key));
        if (rangeEnd != null) n.put("range_end", b64(rangeEnd));
        if (limit > 0) n.put("limit", limit);
        if (revision > 0) n.put("revision", revision);
        if (countOnly) n.put("count_only", true);
        return n.toString();
    }

    /** {@code /v3/kv/put}. */
    static String put(String key, byte[] value, long lease) { return putNode(key, value, lease).toString(); }

    private static ObjectNode putNode(String key, byte[] value, long lease) {
        ObjectNode n = JSON.createObjectNode().put("key", b64(key)).put("value", b64(value));
        if (lease != 0) n.put("lease", lease);
        return n;
    }

    /** {@code /v3/kv/deleterange} of one key. */
    static String delete(String key) { return JSON.createObjectNode().put("key", b64(key)).toString(); }

    /** {@code /v3/kv/txn}. */
    static String txn(Txn txn) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode compares = n.putArray("compare");
        for (Compare c : txn.compares()) {
            String[] target = switch (c.target()) {
                case VERSION -> new String[] {"VERSION", "version"};
                case CREATE_REVISION -> new String[] {"CREATE", "create_revision"};
                case MOD_REVISION -> new String[] {"MOD", "mod_revision"};
            };
            compares.addObject().put("key", b64(c.key())).put("target", target[0]).put("result", c.op().name()).put(target[1], c.value());
        }
        ops(n.putArray("success"), txn.onSuccess());
        ops(n.putArray("failure"), txn.onFailure());
        return n.toString();
    }

    private static void ops(ArrayNode into, List<Op> ops) {
        for (Op op : ops) {
            switch (op) {
                case Op.Put p -> into.addObject().set("request_put", putNode(p.key(), p.value(), p.lease()));
                case Op.Delete d -> into.addObject().putObject("request_delete_range").put("key", b64(d.key()));
            }
        }
    }

    /** {@code /v3/kv/compaction}. */
    static String compaction(long revision) {
        return JSON.createObjectNode().put("revision", revision).put("physical", true).toString();
    }

    /** {@code /v3/lease/grant}. */
    static String grant(long ttlSeconds) { return JSON.createObjectNode().put("TTL", ttlSeconds).toString(); }

    /** {@code /v3/lease/keepalive} and {@code /v3/lease/revoke}. */
    static String leaseId(long id) { return JSON.createObjectNode().put("ID", id).toString(); }

    /** {@code /v3/auth/authenticate}. */
    static String authenticate(String user, String password) {
        return JSON.createObjectNode().put("name", user).put("password", password).toString();
    }

    /** {@code /v3/watch}: a prefix watch from {@code startRevision}, with previous values. */
    static String watch(byte[] key, byte[] rangeEnd, long startRevision) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("create_request").put("key", b64(key)).put("range_end", b64(rangeEnd))
                .put("start_revision", startRevision).put("prev_kv", true);
        return n.toString();
    }

    /** Parses a JSON document; null if it is not one (e.g. a plain-text answer from something that is not etcd). */
    static JsonNode parse(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The failure in an answer, if it is one: unary ({@code error} text + {@code code}) or stream ({@code error} object). */
    static Optional<Failure> failure(JsonNode n) {
        JsonNode e = n.get("error");
        if (e == null || e.isNull() || e.isTextual() && e.asText().isEmpty()) return Optional.empty();
        if (e.isObject()) return Optional.of(new Failure(e.path("grpc_code").asInt(), e.path("message").asText()));
        return Optional.of(new Failure(n.path("code").asInt(), n.path("message").asText(e.asText())));
    }

    static long revision(JsonNode n) { return num(n.path("header"), "revision"); }

    static long num(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? 0 : v.isNumber() ? v.asLong() : Long.parseLong(v.asText());
    }

    static KeyValue keyValue(JsonNode kv) {
        return new KeyValue(text(kv.path("key")), bytes(kv.path("value")), num(kv, "create_revision"), num(kv, "mod_revision"),
                num(kv, "version"), num(kv, "lease"));
    }

    static RangePage rangePage(JsonNode n, long readAt) {
        List<KeyValue> kvs = new ArrayList<>();
        for (JsonNode kv : n.path("kvs")) kvs.add(keyValue(kv));
        // the header carries the current revision, not the one read at
        return new RangePage(kvs, n.path("more").asBoolean(false), readAt == 0 ? revision(n) : readAt);
    }

    static Optional<KeyValue> first(JsonNode n) {
        JsonNode kvs = n.path("kvs");
        return kvs.isEmpty() ? Optional.empty() : Optional.of(keyValue(kvs.get(0)));
    }

    /** One line of a watch stream. */
    static WatchMessage watchMessage(JsonNode line) {
        Optional<Failure> f = failure(line);
        if (f.isPresent()) return new WatchMessage.Failed(f.get());
        JsonNode r = line.path("result");
        if (r.path("canceled").asBoolean(false)) return new WatchMessage.Canceled(num(r, "compact_revision"), r.path("cancel_reason").asText(""));
        if (r.path("created").asBoolean(false)) return new WatchMessage.Created();
        JsonNode events = r.path("events");
        if (events.isEmpty()) return new WatchMessage.Progress(revision(r));
        List<Event> out = new ArrayList<>();
        for (JsonNode e : events) {
            JsonNode prev = e.get("prev_kv");
            Optional<KeyValue> prevKv = prev == null || prev.path("key").asText("").isEmpty() ? Optional.empty() : Optional.of(keyValue(prev));
            Event.Type type = "DELETE".equals(e.path("type").asText("PUT")) ? Event.Type.DELETE : Event.Type.PUT;
            out.add(new Event(type, keyValue(e.path("kv")), prevKv));
        }
        return new WatchMessage.Changes(out);
    }

    private static byte[] bytes(JsonNode b64) { return b64.isMissingNode() || b64.isNull() ? new byte[0] : B64D.decode(b64.asText()); }

    private static String text(JsonNode b64) { return new String(bytes(b64), StandardCharsets.UTF_8); }
}
