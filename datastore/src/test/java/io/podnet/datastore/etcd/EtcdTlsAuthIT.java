package io.podnet.datastore.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.datastore.AuthenticationException;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.UnavailableException;
import io.podnet.testkit.EtcdCerts;
import io.podnet.testkit.EtcdServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** etcd serving TLS only, requiring client certificates, with auth enabled (each client). */
class EtcdTlsAuthIT {
    private static final String PASSWORD = "podnet-s3cret";
    private static EtcdServer etcd;
    private static EtcdCerts certs;

    @BeforeAll
    static void start() throws Exception {
        etcd = EtcdServer.launchTls();
        etcd.enableAuth(PASSWORD);
        certs = etcd.certs().orElseThrow();
        // the first TLS call of a JVM loads the client and the TLS stack (jetcd: 3-10 s on a loaded 2-vCPU box);
        // pay it here so no test below measures it
        for (EtcdClient c : EtcdClient.values()) {
            try (Datastore s = c.connect(config().withCredentials("root", PASSWORD))) {
                s.revision();
            }
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

    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void rightCertificateAndPasswordWork(EtcdClient client) throws Exception {
        try (Datastore s = client.connect(config().withCredentials("root", PASSWORD))) {
            long rev = s.put("/tls/k", "v".getBytes(UTF_8));
            assertThat(s.get("/tls/k").orElseThrow().modRevision()).isEqualTo(rev);
        }
    }

    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void wrongPasswordIsRejectedClearly(EtcdClient client) throws Exception {
        try (Datastore s = client.connect(config().withCredentials("root", "wrong"))) {
            assertThatThrownBy(() -> s.get("/tls/k"))
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("rejected the credentials")
                    .hasMessageContaining("authentication failed");
        }
    }

    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void noPasswordIsRejected(EtcdClient client) throws Exception {
        try (Datastore s = client.connect(config())) {
            assertThatThrownBy(() -> s.put("/tls/k", new byte[] {1})).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void missingClientCertificateIsRejected(EtcdClient client) throws Exception {
        EtcdConfig noCert = EtcdConfig.of(List.of(etcd.clientUrl()), EtcdConfig.Tls.ca(certs.caCert()))
                .withTimeout(Duration.ofSeconds(30)).withCredentials("root", PASSWORD);
        try (Datastore s = client.connect(noCert)) {
            assertThatThrownBy(() -> s.get("/tls/k")).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("TLS handshake").hasMessageContaining("bad_certificate");
        }
    }

    @ParameterizedTest
    @EnumSource(EtcdClient.class)
    void plainHttpToTheTlsPortFails(EtcdClient client) throws Exception {
        URI plain = URI.create(etcd.clientUrl().toString().replace("https", "http"));
        try (Datastore s = client.connect(EtcdConfig.of(List.of(plain))
                .withTimeout(Duration.ofSeconds(2)).withCredentials("root", PASSWORD))) {
            assertThatThrownBy(() -> s.get("/tls/k")).isInstanceOf(UnavailableException.class);
        }
    }

    /** etcd's gateway cannot take a certificate's CN as the user, so with auth on it refuses such certificates. */
    @Test
    void aNamedClientCertificateWorksOverGrpcAndIsRefusedClearlyByTheGateway() throws Exception {
        EtcdConfig named = EtcdConfig.of(List.of(etcd.clientUrl()), EtcdConfig.Tls.mutual(certs.caCert(), certs.namedClientCert(),
                certs.namedClientKey())).withTimeout(Duration.ofSeconds(30)).withCredentials("root", PASSWORD);
        try (Datastore s = EtcdClient.GRPC.connect(named)) {
            s.put("/tls/named", "v".getBytes(UTF_8));
        }
        try (Datastore s = EtcdClient.HTTP.connect(named)) {
            assertThatThrownBy(() -> s.get("/tls/named")).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("refuses a client certificate with a Common Name").hasMessageContaining("etcd.client grpc");
        }
    }

    @Test
    void httpsEndpointWithoutTlsConfigIsABadConfig() {
        assertThatThrownBy(() -> EtcdConfig.of(List.of(etcd.clientUrl())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a TLS config");
    }
}
