package io.podnet.datastore;

import java.io.IOException;

/** A datastore operation failed. Subtypes say why; the message names the operation and key where known. */
public class DatastoreException extends IOException {
    public DatastoreException(String message) {
        super(message);
    }

    public DatastoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
