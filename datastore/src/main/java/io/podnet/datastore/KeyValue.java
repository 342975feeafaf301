package io.podnet.datastore;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One key as stored, with etcd's MVCC metadata.
 *
 * @param key            the key
 * @param value          the value bytes (copied in and out)
 * @param createRevision store revision of the put that created this incarnation of the key
 * @param modRevision    store revision of the last put (or, in a DELETE event, of the delete)
 * @param version        puts since creation (1 after the first put; 0 in a DELETE event)
 * @param lease          attached lease id, 0 for none
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {
    public KeyValue {
        Objects.requireNonNull(key, "key");
        value = value == null ? new byte[0] : value.clone();
        if (createRevision < 0 || modRevision < 0 || version < 0) {
            throw new IllegalArgumentException("negative revision or version: " + key);
        }
    }

    /** A copy of the value bytes. */
    @Override
    public byte[] value() { return value.clone(); }

    /** The value as UTF-8 text. */
    public String valueUtf8() { return new String(value, java.nio.charset.StandardCharsets.UTF_8); }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue kv && key.equals(kv.key) && Arrays.equals(value, kv.value)
                && createRevision == kv.createRevision && modRevision == kv.modRevision
                && version == kv.version && lease == kv.lease;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), createRevision, modRevision, version, lease);
    }

    @Override
    public String toString() {
        String v = value.length <= 32 ? HexFormat.of().formatHex(value) : value.length + " bytes";
        return "KeyValue[" + key + " = " + v + ", create=" + createRevision + ", mod=" + modRevision
                + ", version=" + version + (lease == 0 ? "" : ", lease=" + Long.toHexString(lease)) + "]";
    }
}
