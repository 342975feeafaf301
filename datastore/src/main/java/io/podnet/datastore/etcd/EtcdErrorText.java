package io.podnet.datastore.etcd;

import io.podnet.datastore.AuthenticationException;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.LeaseNotFoundException;
import io.podnet.datastore.UnavailableException;
import java.util.Locale;

/**
 * Maps etcd's error texts (as etcd 3.4 words them, the same through gRPC and the JSON gateway) to the datastore's
 * typed errors. Shared by both clients; knows nothing of jetcd.
 */
final class EtcdErrorText {
    private EtcdErrorText() {}

    /**
     * @param text        the failure's text (etcd's message, or the joined messages of a cause chain)
     * @param unavailable the transport already classed it as unavailable (gRPC UNAVAILABLE, DEADLINE_EXCEEDED ...)
     * @param lease       the lease the call involved (0 for none)
     */
    static DatastoreException translate(String what, String text, boolean unavailable, String endpoints, long lease, Throwable cause) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("lease not found")) return new LeaseNotFoundException(lease);
        if (lower.contains("required revision has been compacted")) {
            return new io.podnet.datastore.CompactedException(what + ": " + text, 0);
        }
        if (lower.contains("authentication failed") || lower.contains("invalid user id or password")
                || lower.contains("user name is empty") || lower.contains("invalid auth token")
                || lower.contains("permission denied") || lower.contains("unauthenticated")) {
            return new AuthenticationException(what + ": etcd at " + endpoints + " rejected the credentials: " + text, cause);
        }
        if (unavailable || lower.contains("unavailable") || lower.contains("deadline") || lower.contains("connection refused")
                || lower.contains("no leader") || lower.contains("leader changed") || lower.contains("timed out")
                || lower.contains("client connection is closing")) {
            return new UnavailableException(what + ": etcd at " + endpoints + " is unavailable: " + text, cause);
        }
        return new DatastoreException(what + ": " + text, cause);
    }

    /** A TLS handshake failed: the server refused our certificate (or we its). */
    static AuthenticationException tlsFailed(String what, String endpoints, Throwable ssl, Throwable cause) {
        return new AuthenticationException(what + ": TLS handshake with " + endpoints + " failed: " + ssl.getMessage(), cause);
    }

    /** The messages of the whole cause chain, joined. */
    static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && (sb.isEmpty() || !sb.toString().contains(c.getMessage()))) {
                if (!sb.isEmpty()) sb.append(" <- ");
                sb.append(c.getMessage());
            }
        }
        return sb.isEmpty() ? t.getClass().getName() : sb.toString();
    }
}
