package io.podnet.calico;

import io.podnet.datastore.DatastoreException;

/** A resource write that does not fit what is stored: it exists already, is missing, or changed since it was read. */
public final class ResourceStateException extends DatastoreException {
    /** Why. */
    public enum Reason { ALREADY_EXISTS, NOT_FOUND, MODIFIED }

    private final Reason reason;

    public ResourceStateException(Reason reason, String kind, String name, String detail) {
        super(kind + " \"" + name + "\": " + switch (reason) {
            case ALREADY_EXISTS -> "already exists";
            case NOT_FOUND -> "does not exist";
            case MODIFIED -> "was modified since it was read";
        } + (detail.isEmpty() ? "" : " (" + detail + ")"));
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
