package io.podnet.datastore;

/** An open watch. Closing it stops delivery; no callback runs after {@code close()} returns. */
public interface Watch extends AutoCloseable {
    /** The revision of the last event delivered (or the start revision - 1 before any). */
    long lastRevision();

    @Override
    void close();
}
