package io.podnet.cnm;

/** A request the driver refuses or could not carry out; sent to Docker as HTTP 500 with {@code Err}/{@code Error}. */
public final class CnmException extends Exception {

    /** What kind of failure. */
    public enum Kind {
        /** Malformed or unsupported request. */
        BAD_REQUEST,
        /** The network, endpoint or pool is unknown. */
        NOT_FOUND,
        /** The request conflicts with existing state (overlapping pool, address in use). */
        CONFLICT,
        /** No free address or pool left. */
        EXHAUSTED,
        /** The kernel, nft or the state directory failed. */
        SYSTEM
    }

    private final Kind kind;

    public CnmException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public CnmException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
