package io.podnet.datastore;

/**
 * The revision asked for (a range at an old revision) was compacted away. The caller relists at the current
 * revision. Watches report the same condition as {@link WatchResponse.Compacted} instead of throwing.
 */
public final class CompactedException extends DatastoreException {
    private final long compactRevision;

    public CompactedException(String message, long compactRevision) {
        super(message);
        this.compactRevision = compactRevision;
    }

    /** The oldest revision still available. */
    public long compactRevision() { return compactRevision; }
}
