package io.podnet.bgp.message;

/**
 * The RFC 7606 §2 error-handling ladder, most severe first. When one UPDATE has several errors the most
 * severe treatment wins (RFC 7606 §3.h).
 */
public enum ErrorHandling {
    /** Send NOTIFICATION and reset the session (RFC 4271 §6; RFC 7606 §2 "session reset"). */
    SESSION_RESET,
    /** Stop using the AFI/SAFI of the malformed MP attribute (RFC 4760 §7; RFC 7606 §2 "AFI/SAFI disable"). */
    AFI_SAFI_DISABLE,
    /** Treat every prefix of the UPDATE as withdrawn (RFC 7606 §2 "treat-as-withdraw"). */
    TREAT_AS_WITHDRAW,
    /** Drop only the malformed attribute and use the rest of the UPDATE (RFC 7606 §2 "attribute discard"). */
    ATTRIBUTE_DISCARD;

    /** True if this treatment is more severe than {@code other}. */
    public boolean worseThan(ErrorHandling other) { return ordinal() < other.ordinal(); }
}
