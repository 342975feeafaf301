package io.podnet.datastore.etcd;

import io.etcd.jetcd.ClientBuilder;
import io.podnet.datastore.DatastoreException;
import java.nio.file.Files;
import javax.net.ssl.SSLException;

/** Applies {@link EtcdConfig.Tls} PEM files to a jetcd client builder (netty SslContext, ALPN h2). */
final class EtcdTls {
    private EtcdTls() {}

    static void apply(ClientBuilder b, EtcdConfig.Tls tls) throws DatastoreException {
        requireReadable(tls.caFile());
        if (tls.certFile().isPresent()) requireReadable(tls.certFile().get());
        if (tls.keyFile().isPresent()) requireReadable(tls.keyFile().get());
        try {
            b.sslContext(ssl -> {
                ssl.trustManager(tls.caFile().toFile());
                if (tls.certFile().isPresent()) {
                    ssl.keyManager(tls.certFile().get().toFile(), tls.keyFile().get().toFile());
                }
            });
        } catch (SSLException | IllegalArgumentException e) {
            throw new DatastoreException("bad etcd TLS material " + tls + ": " + e.getMessage(), e);
        }
    }

    private static void requireReadable(java.nio.file.Path p) throws DatastoreException {
        if (!Files.isReadable(p)) throw new DatastoreException("etcd TLS file not readable: " + p);
    }
}
