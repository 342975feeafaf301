package io.podnet.datastore;

/**
 * The store could not be reached within the operation timeout (every endpoint down, no leader, connection
 * refused). Thrown fast, never after an unbounded wait; the caller may retry later.
 */
public final class UnavailableException extends DatastoreException {
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
