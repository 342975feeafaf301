package io.podnet.datastore.etcd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** etcd's key ranges, shared by both clients: a prefix is the range {@code [prefix, prefixEnd(prefix))}. */
final class EtcdKeys {
    private EtcdKeys() {}

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** The first key of a range: the key itself, or "\0" (the smallest key) for "" (etcd rejects an empty key). */
    static byte[] from(String key) { return key.isEmpty() ? new byte[] {0} : utf8(key); }

    /** etcd's range end for a prefix: the prefix with its last byte incremented ("\0" = to the end). */
    static byte[] prefixEnd(String prefix) {
        byte[] b = utf8(prefix);
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(b, i + 1);
                end[i]++;
                return end;
            }
        }
        return new byte[] {0};
    }
}
