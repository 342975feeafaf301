package io.podnet.datastore.etcd;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import java.util.Locale;

/**
 * Which client a {@link Datastore} on etcd talks through. Both pass the same contract and etcd tests; they differ
 * in what they bring into the process (datastore/README.md; bench/README.md "The etcd client").
 */
public enum EtcdClient {
    /** etcd's v3 JSON gateway through the JDK's HTTP client ({@link EtcdHttpDatastore}). */
    HTTP,
    /** jetcd over gRPC ({@link EtcdDatastore}): gRPC, Netty, vert.x, protobuf and Guava in the process. */
    GRPC;

    /** Builds the client; no I/O happens until the first call. */
    public Datastore connect(EtcdConfig config) throws DatastoreException {
        return switch (this) {
            case HTTP -> EtcdHttpDatastore.connect(config);
            case GRPC -> EtcdDatastore.connect(config);
        };
    }

    /** {@code http} or {@code grpc} (any case). */
    public static EtcdClient parse(String s) {
        for (EtcdClient c : values()) {
            if (c.label().equalsIgnoreCase(s.strip())) return c;
        }
        throw new IllegalArgumentException("etcd.client must be http or grpc, not \"" + s + "\"");
    }

    /** The name in configs and flags. */
    public String label() { return name().toLowerCase(Locale.ROOT); }
}
