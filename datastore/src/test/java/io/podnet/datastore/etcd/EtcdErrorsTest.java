package io.podnet.datastore.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.datastore.AuthenticationException;
import io.podnet.datastore.CompactedException;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.LeaseNotFoundException;
import io.podnet.datastore.UnavailableException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** gRPC/etcd failure texts (as etcd 3.4 words them) map to the typed errors. */
class EtcdErrorsTest {
    private static DatastoreException t(Throwable t) {
        return EtcdErrors.translate("op /k", t, "[http://127.0.0.1:2379]", 0x2a);
    }

    @Test
    void mapsEtcdTextsToTypedErrors() {
        assertThat(t(new RuntimeException("UNAVAILABLE: io exception", new RuntimeException("Connection refused"))))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("op /k").hasMessageContaining("127.0.0.1:2379");
        assertThat(t(new RuntimeException("UNAVAILABLE: etcdserver: no leader"))).isInstanceOf(UnavailableException.class);
        assertThat(t(new RuntimeException("UNKNOWN: etcdserver: request timed out"))).isInstanceOf(UnavailableException.class);
        assertThat(t(new RuntimeException("grpc: the client connection is closing"))).as("a member shutting down")
                .isInstanceOf(UnavailableException.class);
        assertThat(t(new RuntimeException("NOT_FOUND: etcdserver: requested lease not found")))
                .isInstanceOf(LeaseNotFoundException.class)
                .satisfies(e -> assertThat(((LeaseNotFoundException) e).leaseId()).isEqualTo(0x2a));
        assertThat(t(new RuntimeException("OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted")))
                .isInstanceOf(CompactedException.class);
        assertThat(t(new RuntimeException("INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password")))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("rejected the credentials");
        assertThat(t(new RuntimeException("x", new SSLHandshakeException("Received fatal alert: bad_certificate"))))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("TLS handshake");
        assertThat(t(new RuntimeException("INVALID_ARGUMENT: etcdserver: duplicate key given in txn request")))
                .isExactlyInstanceOf(DatastoreException.class).hasMessageContaining("duplicate key");
    }
}
