package io.podnet.datastore;

import java.util.Objects;

/** One write of a transaction. */
public sealed interface Op {
    String key();

    /** Put {@code value} at {@code key}, attached to {@code lease} (0 = none). */
    record Put(String key, byte[] value, long lease) implements Op {
        public Put {
            Objects.requireNonNull(key, "key");
            value = Objects.requireNonNull(value, "value").clone();
            if (key.isEmpty()) throw new IllegalArgumentException("empty key");
        }

        @Override
        public byte[] value() { return value.clone(); }
    }

    /** Delete {@code key} (no-op if absent). */
    record Delete(String key) implements Op {
        public Delete {
            Objects.requireNonNull(key, "key");
            if (key.isEmpty()) throw new IllegalArgumentException("empty key");
        }
    }

    static Op put(String key, byte[] value) { return new Put(key, value, 0); }

    static Op put(String key, byte[] value, long lease) { return new Put(key, value, lease); }

    static Op delete(String key) { return new Delete(key); }
}
