package io.podnet.ipam;

import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;

/** An IPAM failure with its kind; {@link #toCni()} gives the CNI error a plugin returns for it. */
public final class IpamException extends Exception {

    /** What went wrong, each with its CNI error code. */
    public enum Reason {
        /** Invalid ipam configuration or requested IP text: CNI 7. */
        CONFIG(CniErrorCode.INVALID_NETWORK_CONFIG),
        /** Every address of a range set is taken: podnet CNI 101 (not 11: it does not go away by retrying). */
        EXHAUSTED(CniErrorCode.IPAM_EXHAUSTED),
        /** A requested IP is taken, is a gateway, or is in no range: podnet CNI 102. */
        REQUESTED_UNAVAILABLE(CniErrorCode.IPAM_REQUESTED_UNAVAILABLE),
        /** The owner already holds an address in the range set: podnet CNI 103. */
        DUPLICATE(CniErrorCode.IPAM_DUPLICATE),
        /** CHECK found no or different reservations: podnet CNI 104. */
        CHECK_FAILED(CniErrorCode.CHECK_FAILED),
        /** The store could not be read or written: CNI 5. */
        IO(CniErrorCode.IO_FAILURE);

        private final CniErrorCode cni;

        Reason(CniErrorCode cni) {
            this.cni = cni;
        }

        public CniErrorCode cniCode() {
            return cni;
        }
    }

    private final Reason reason;

    public IpamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public IpamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public CniException toCni() {
        return new CniException(reason.cniCode(), getMessage(), getCause() == null ? "" : getCause().toString());
    }
}
