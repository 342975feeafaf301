package io.podnet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A throwaway CA, an etcd server certificate for 127.0.0.1/localhost and client certificates, made with the
 * {@code openssl} CLI (EC P-256, PKCS#8 keys, valid one day) in {@code dir}.
 *
 * @param dir        where the files are
 * @param caCert     CA certificate (PEM)
 * @param serverCert server certificate, SAN IP:127.0.0.1 and DNS:localhost
 * @param serverKey  its key
 * @param clientCert      client certificate without a Common Name (subject {@code O=podnet-test-client}): etcd's JSON
 *                        gateway refuses a client certificate that has one when auth is on, and over gRPC a CN-less
 *                        certificate names no user, so both clients authenticate with the password alone
 * @param clientKey       its key
 * @param namedClientCert client certificate with CN {@link #CLIENT_CN} (not an etcd user, so it grants nothing)
 * @param namedClientKey  its key
 */
public record EtcdCerts(Path dir, Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey,
                        Path namedClientCert, Path namedClientKey) {
    /** The named client certificate's CN; it is not an etcd user, so it grants nothing without a password. */
    public static final String CLIENT_CN = "podnet-test-client";

    /** Generates everything in {@code dir} (which must exist). */
    public static EtcdCerts generate(Path dir) {
        if (!Sh.has("openssl")) throw new IllegalStateException("openssl CLI not found: install the openssl package");
        EtcdCerts c = new EtcdCerts(dir, dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
                dir.resolve("client.crt"), dir.resolve("client.key"), dir.resolve("named-client.crt"), dir.resolve("named-client.key"));
        String ca = dir.resolve("ca.key").toString();
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", ca, "-out", c.caCert.toString(), "-subj", "/CN=podnet-test-ca", "-days", "1");
        c.sign("etcd-server", "/CN=etcd-server", c.serverCert, c.serverKey,
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
        c.sign("client", "/O=" + CLIENT_CN, c.clientCert, c.clientKey, "extendedKeyUsage=clientAuth\n");
        c.sign("named-client", "/CN=" + CLIENT_CN, c.namedClientCert, c.namedClientKey, "extendedKeyUsage=clientAuth\n");
        return c;
    }

    private void sign(String name, String subject, Path cert, Path key, String extensions) {
        try {
            Path csr = dir.resolve(name + ".csr");
            Path ext = Files.writeString(dir.resolve(name + ".ext"), extensions);
            openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key.toString(), "-out", csr.toString(), "-subj", subject);
            openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey",
                    dir.resolve("ca.key").toString(), "-CAcreateserial", "-out", cert.toString(), "-days", "1",
                    "-extfile", ext.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openssl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Sh.run(cmd, 30).check();
    }
}
