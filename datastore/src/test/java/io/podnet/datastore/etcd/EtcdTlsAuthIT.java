package io.podnet.datastore.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.datastore.AuthenticationException;
import io.podnet.datastore.UnavailableException;
import io.podnet.testkit.EtcdCerts;
import io.podnet.testkit.EtcdServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** etcd serving TLS only, requiring client certificates, with auth enabled. */
class EtcdTlsAuthIT {
    private static final String PASSWORD = "podnet-s3cret";
    private static EtcdServer etcd;
    private static EtcdCerts certs;

    @BeforeAll
    static void start() throws Exception {
        etcd = EtcdServer.launchTls();
        etcd.enableAuth(PASSWORD);
        certs = etcd.certs().orElseThrow();
        // the first TLS call of a JVM loads gRPC, vert.x and the TLS stack (3-10 s on a loaded 2-vCPU box);
        // pay it here so no test below measures it
        try (EtcdDatastore s = EtcdDatastore.connect(config().withCredentials("root", PASSWORD))) {
            s.revision();
        }
    }

    @AfterAll
    static void stop() {
        if (etcd != null) etcd.close();
    }

    private static EtcdConfig config() {
        return EtcdConfig.of(List.of(etcd.clientUrl()),
                EtcdConfig.Tls.mutual(certs.caCert(), certs.clientCert(), certs.clientKey())).withTimeout(Duration.ofSeconds(30));
    }

    @Test
    void rightCertificateAndPasswordWork() throws Exception {
        try (EtcdDatastore s = EtcdDatastore.connect(config().withCredentials("root", PASSWORD))) {
            long rev = s.put("/tls/k", "v".getBytes(UTF_8));
            assertThat(s.get("/tls/k").orElseThrow().modRevision()).isEqualTo(rev);
        }
    }

    @Test
    void wrongPasswordIsRejectedClearly() throws Exception {
        try (EtcdDatastore s = EtcdDatastore.connect(config().withCredentials("root", "wrong"))) {
            assertThatThrownBy(() -> s.get("/tls/k"))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("rejected the credentials")
                    .hasMessageContaining("authentication failed");
        }
    }

    @Test
    void noPasswordIsRejected() throws Exception {
        try (EtcdDatastore s = EtcdDatastore.connect(config())) {
            assertThatThrownBy(() -> s.put("/tls/k", new byte[] {1})).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    void missingClientCertificateIsRejected() throws Exception {
        EtcdConfig noCert = EtcdConfig.of(List.of(etcd.clientUrl()), EtcdConfig.Tls.ca(certs.caCert()))
                .withTimeout(Duration.ofSeconds(30)).withCredentials("root", PASSWORD);
        try (EtcdDatastore s = EtcdDatastore.connect(noCert)) {
            assertThatThrownBy(() -> s.get("/tls/k")).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("TLS handshake").hasMessageContaining("bad_certificate");
        }
    }

    @Test
    void plainHttpToTheTlsPortFails() throws Exception {
        URI plain = URI.create(etcd.clientUrl().toString().replace("https", "http"));
        try (EtcdDatastore s = EtcdDatastore.connect(EtcdConfig.of(List.of(plain))
                .withTimeout(Duration.ofSeconds(2)).withCredentials("root", PASSWORD))) {
            assertThatThrownBy(() -> s.get("/tls/k")).isInstanceOf(UnavailableException.class);
        }
    }

    @Test
    void httpsEndpointWithoutTlsConfigIsABadConfig() {
        assertThatThrownBy(() -> EtcdConfig.of(List.of(etcd.clientUrl())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a TLS config");
    }
}
