package io.podnet.datastore;

/**
 * Receives a watch's responses on one thread at a time, in order. A listener should not block for long:
 * delivery for this watch waits for it.
 */
@FunctionalInterface
public interface WatchListener {
    void on(WatchResponse response);
}
