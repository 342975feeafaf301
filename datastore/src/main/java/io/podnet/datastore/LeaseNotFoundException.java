package io.podnet.datastore;

/** The lease does not exist: it expired, was revoked, or never was. The caller grants a new one. */
public final class LeaseNotFoundException extends DatastoreException {
    private final long leaseId;

    public LeaseNotFoundException(long leaseId) {
        super("lease " + Long.toHexString(leaseId) + " not found (expired or revoked)");
        this.leaseId = leaseId;
    }

    public long leaseId() { return leaseId; }
}
