package io.podnet.datastore.etcd;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.podnet.datastore.AuthenticationException;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.LeaseNotFoundException;
import io.podnet.datastore.UnavailableException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Maps jetcd/gRPC failures to the datastore's typed errors. */
final class EtcdErrors {
    private EtcdErrors() {}

    /** Translates {@code t}; {@code lease} is the lease the call involved (0 for none). */
    static DatastoreException translate(String what, Throwable t, String endpoints, long lease) {
        Throwable root = t;
        String text = messages(t);
        String lower = text.toLowerCase(Locale.ROOT);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return new AuthenticationException(what + ": TLS handshake with " + endpoints + " failed: " + c.getMessage(), t);
            }
            if (c instanceof CompactedException ce) {
                return new io.podnet.datastore.CompactedException(what + ": " + ce.getMessage(), ce.getCompactedRevision());
            }
            if (c instanceof EtcdException) root = c;
        }
        if (lower.contains("lease not found")) return new LeaseNotFoundException(lease);
        if (lower.contains("required revision has been compacted")) {
            return new io.podnet.datastore.CompactedException(what + ": " + text, 0);
        }
        if (lower.contains("authentication failed") || lower.contains("invalid user id or password")
                || lower.contains("user name is empty") || lower.contains("invalid auth token")
                || lower.contains("permission denied") || lower.contains("unauthenticated")) {
            return new AuthenticationException(what + ": etcd at " + endpoints + " rejected the credentials: " + text, t);
        }
        if (root instanceof EtcdException ee && isUnavailable(ee.getErrorCode())
                || lower.contains("unavailable") || lower.contains("deadline") || lower.contains("connection refused")
                || lower.contains("no leader") || lower.contains("leader changed") || lower.contains("timed out")) {
            return new UnavailableException(what + ": etcd at " + endpoints + " is unavailable: " + text, t);
        }
        return new DatastoreException(what + ": " + text, t);
    }

    private static boolean isUnavailable(ErrorCode code) {
        return code == ErrorCode.UNAVAILABLE || code == ErrorCode.DEADLINE_EXCEEDED || code == ErrorCode.CANCELLED;
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
