package io.podnet.datastore;

import java.util.List;

/** What a watch delivers: events in revision order, exactly once, or a terminal signal. */
public sealed interface WatchResponse {
    /** Changes, oldest first; all events of one store revision arrive in one batch. */
    record Events(List<Event> events) implements WatchResponse {
        public Events {
            events = List.copyOf(events);
            if (events.isEmpty()) throw new IllegalArgumentException("empty event batch");
        }

        public long lastRevision() { return events.getLast().revision(); }
    }

    /**
     * The revision to resume from was compacted: history is lost, so the caller must relist
     * ({@link Datastore#snapshot}) and diff, then watch again from the snapshot's revision + 1. Terminal.
     *
     * @param compactRevision   the oldest revision the store still has
     * @param requestedRevision the revision the watch needed
     */
    record Compacted(long compactRevision, long requestedRevision) implements WatchResponse {}

    /** The watch failed for good (permission denied, store closed). Terminal. Outages are not failures. */
    record Failed(DatastoreException cause) implements WatchResponse {}
}
