package io.podnet.datastore;

/** A compare-and-swap lost: the compares of a transaction did not hold (see {@link TxnResult#orThrow()}). */
public final class ConflictException extends DatastoreException {
    private final long revision;

    public ConflictException(String message, long revision) {
        super(message);
        this.revision = revision;
    }

    /** The store revision at which the compares were evaluated. */
    public long revision() { return revision; }
}
