package io.podnet.datastore;

import java.util.Objects;
import java.util.Optional;

/**
 * One change seen by a watch.
 *
 * @param type   PUT or DELETE
 * @param kv     for PUT the new key-value; for DELETE the key with {@code modRevision} = the delete's revision
 * @param prevKv the key-value before the change, where the store still had it
 */
public record Event(Type type, KeyValue kv, Optional<KeyValue> prevKv) {
    /** The kind of change. */
    public enum Type { PUT, DELETE }

    public Event {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kv, "kv");
        Objects.requireNonNull(prevKv, "prevKv");
    }

    public String key() { return kv.key(); }

    /** The store revision of the change. */
    public long revision() { return kv.modRevision(); }
}
