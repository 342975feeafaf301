package io.podnet.datastore.etcd;

import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.podnet.datastore.DatastoreException;
import javax.net.ssl.SSLException;

/** Maps jetcd/gRPC failures to the datastore's typed errors (the texts through {@link EtcdErrorText}). */
final class EtcdErrors {
    private EtcdErrors() {}

    /** Translates {@code t}; {@code lease} is the lease the call involved (0 for none). */
    static DatastoreException translate(String what, Throwable t, String endpoints, long lease) {
        Throwable root = t;
        String text = EtcdErrorText.messages(t);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return EtcdErrorText.tlsFailed(what, endpoints, c, t);
            }
            if (c instanceof CompactedException ce) {
                return new io.podnet.datastore.CompactedException(what + ": " + ce.getMessage(), ce.getCompactedRevision());
            }
            if (c instanceof EtcdException) root = c;
        }
        return EtcdErrorText.translate(what, text, root instanceof EtcdException ee && isUnavailable(ee.getErrorCode()), endpoints, lease, t);
    }

    private static boolean isUnavailable(ErrorCode code) {
        return code == ErrorCode.UNAVAILABLE || code == ErrorCode.DEADLINE_EXCEEDED || code == ErrorCode.CANCELLED;
    }
}
