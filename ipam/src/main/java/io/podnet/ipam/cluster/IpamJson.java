package io.podnet.ipam.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.datastore.KeyValue;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON of blocks, affinities and handles, with Calico's field names (unknown fields from newer Calicos are kept out). */
final class IpamJson {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private IpamJson() {}

    static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T decode(KeyValue kv, Class<T> type) {
        try {
            return JSON.readValue(kv.value(), type);
        } catch (IOException e) {
            throw new IllegalStateException(kv.key() + ": not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    static ObjectMapper mapper() { return JSON; }
}
