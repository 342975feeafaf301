package io.podnet.datastore;

/** The store refused our credentials (wrong user or password, missing or untrusted client certificate). */
public final class AuthenticationException extends DatastoreException {
    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
