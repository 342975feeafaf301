package io.podnet.datastore.etcd;

import io.podnet.datastore.DatastoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} from {@link EtcdConfig.Tls}'s PEM files, with the JDK alone: the CA bundle as trust
 * anchors, and the client certificate chain with its PKCS#8 key ({@code BEGIN PRIVATE KEY}; RSA, EC or EdDSA)
 * for etcd's {@code --client-cert-auth}. Host names are checked by the HTTP client against the certificate.
 */
final class PemTls {
    private static final char[] NO_PASSWORD = new char[0];

    private PemTls() {}

    static SSLContext context(EtcdConfig.Tls tls) throws DatastoreException {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            List<? extends Certificate> cas = certificates(tls.caFile());
            for (int i = 0; i < cas.size(); i++) trust.setCertificateEntry("ca" + i, cas.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (tls.certFile().isPresent()) {
                KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
                keys.load(null, null);
                keys.setKeyEntry("client", privateKey(tls.keyFile().orElseThrow()), NO_PASSWORD,
                        certificates(tls.certFile().get()).toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, NO_PASSWORD);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new DatastoreException("bad etcd TLS material " + tls + ": " + e.getMessage(), e);
        }
    }

    private static List<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        List<? extends Certificate> certs = List.copyOf(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(readable(pem))));
        if (certs.isEmpty()) throw new GeneralSecurityException("no certificate in " + pem);
        return certs;
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = new String(readable(pem), java.nio.charset.StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException(pem + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with `openssl pkcs8 -topk8 -nocrypt`");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
        for (String alg : List.of("EC", "RSA", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException notThisAlgorithm) {
                // try the next one
            }
        }
        throw new GeneralSecurityException(pem + ": unsupported key algorithm (RSA, EC and EdDSA are)");
    }

    private static byte[] readable(Path p) throws IOException {
        if (!Files.isReadable(p)) throw new IOException("etcd TLS file not readable: " + p);
        return Files.readAllBytes(p);
    }
}
