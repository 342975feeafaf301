package io.podnet.datastore.etcd;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach etcd.
 *
 * @param endpoints        client URLs ({@code http://} or {@code https://}); the client fails over between them
 * @param credentials      etcd user and password when etcd auth is enabled
 * @param tls              CA and optional client certificate for {@code https://} endpoints
 * @param operationTimeout upper bound for every operation; past it the call throws {@code UnavailableException}
 */
public record EtcdConfig(List<URI> endpoints, Optional<Credentials> credentials, Optional<Tls> tls,
                         Duration operationTimeout) {
    /** Default bound on one operation. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public EtcdConfig {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(operationTimeout, "operationTimeout");
        if (endpoints.isEmpty()) throw new IllegalArgumentException("no etcd endpoints");
        for (URI u : endpoints) {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || u.getPort() < 0) {
                throw new IllegalArgumentException("etcd endpoint must be http(s)://host:port, got " + u);
            }
            if ("https".equals(u.getScheme()) && tls.isEmpty()) {
                throw new IllegalArgumentException("https endpoint " + u + " needs a TLS config (CA file)");
            }
        }
        if (operationTimeout.isNegative() || operationTimeout.isZero()) {
            throw new IllegalArgumentException("operationTimeout must be positive");
        }
    }

    /** Plain endpoints, no auth, default timeout. */
    public static EtcdConfig of(List<URI> endpoints) {
        return new EtcdConfig(endpoints, Optional.empty(), Optional.empty(), DEFAULT_TIMEOUT);
    }

    /** TLS endpoints, no auth, default timeout. */
    public static EtcdConfig of(List<URI> endpoints, Tls tls) {
        return new EtcdConfig(endpoints, Optional.empty(), Optional.of(tls), DEFAULT_TIMEOUT);
    }

    public EtcdConfig withCredentials(String user, String password) {
        return new EtcdConfig(endpoints, Optional.of(new Credentials(user, password)), tls, operationTimeout);
    }

    public EtcdConfig withTls(Tls t) {
        return new EtcdConfig(endpoints, credentials, Optional.of(t), operationTimeout);
    }

    public EtcdConfig withTimeout(Duration timeout) {
        return new EtcdConfig(endpoints, credentials, tls, timeout);
    }

    /** etcd user name and password (etcd's simple auth). The password is never printed. */
    public record Credentials(String user, String password) {
        public Credentials {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.isEmpty()) throw new IllegalArgumentException("empty etcd user name");
        }

        @Override
        public String toString() { return "Credentials[user=" + user + ", password=***]"; }
    }

    /**
     * TLS material as PEM files.
     *
     * @param caFile   CA bundle that signed the server certificates
     * @param certFile client certificate (for {@code --client-cert-auth}), if any
     * @param keyFile  its private key in PKCS#8 PEM, if any
     */
    public record Tls(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) {
        public Tls {
            Objects.requireNonNull(caFile, "caFile");
            if (certFile.isPresent() != keyFile.isPresent()) {
                throw new IllegalArgumentException("client certificate and key go together");
            }
        }

        public static Tls ca(Path caFile) { return new Tls(caFile, Optional.empty(), Optional.empty()); }

        public static Tls mutual(Path caFile, Path certFile, Path keyFile) {
            return new Tls(caFile, Optional.of(certFile), Optional.of(keyFile));
        }
    }
}
