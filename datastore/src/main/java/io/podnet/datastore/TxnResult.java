package io.podnet.datastore;

/**
 * The outcome of a {@link Txn}.
 *
 * @param succeeded whether all compares held
 * @param revision  the store revision after the transaction (unchanged if it wrote nothing)
 */
public record TxnResult(boolean succeeded, long revision) {
    /** Returns this result if it succeeded, else throws {@link ConflictException}. */
    public TxnResult orThrow() throws ConflictException {
        if (!succeeded) throw new ConflictException("transaction compares failed at revision " + revision, revision);
        return this;
    }
}
