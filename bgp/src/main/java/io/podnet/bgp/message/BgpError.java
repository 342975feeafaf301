package io.podnet.bgp.message;

import java.util.Optional;

/**
 * NOTIFICATION (error code, subcode) pairs: RFC 4271 §4.5 and §6, with subcodes added by RFC 4486 / RFC 9003
 * (Cease), RFC 5492 §5 (Unsupported Capability), RFC 6608 (FSM error) and RFC 7313 §5 (ROUTE-REFRESH).
 * An open code space: a NOTIFICATION with a pair not listed here keeps its raw numbers
 * ({@link NotificationMessage#code()}/{@link NotificationMessage#subcode()}) and {@link #of} returns empty.
 */
public enum BgpError {
    MESSAGE_HEADER_ERROR(1, 0),
    CONNECTION_NOT_SYNCHRONIZED(1, 1),
    BAD_MESSAGE_LENGTH(1, 2),
    BAD_MESSAGE_TYPE(1, 3),
    OPEN_MESSAGE_ERROR(2, 0),
    UNSUPPORTED_VERSION_NUMBER(2, 1),
    BAD_PEER_AS(2, 2),
    BAD_BGP_IDENTIFIER(2, 3),
    UNSUPPORTED_OPTIONAL_PARAMETER(2, 4),
    UNACCEPTABLE_HOLD_TIME(2, 6),
    UNSUPPORTED_CAPABILITY(2, 7),
    UPDATE_MESSAGE_ERROR(3, 0),
    MALFORMED_ATTRIBUTE_LIST(3, 1),
    UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE(3, 2),
    MISSING_WELL_KNOWN_ATTRIBUTE(3, 3),
    ATTRIBUTE_FLAGS_ERROR(3, 4),
    ATTRIBUTE_LENGTH_ERROR(3, 5),
    INVALID_ORIGIN_ATTRIBUTE(3, 6),
    INVALID_NEXT_HOP_ATTRIBUTE(3, 8),
    OPTIONAL_ATTRIBUTE_ERROR(3, 9),
    INVALID_NETWORK_FIELD(3, 10),
    MALFORMED_AS_PATH(3, 11),
    HOLD_TIMER_EXPIRED(4, 0),
    FSM_ERROR(5, 0),
    FSM_UNEXPECTED_MESSAGE_IN_OPEN_SENT(5, 1),
    FSM_UNEXPECTED_MESSAGE_IN_OPEN_CONFIRM(5, 2),
    FSM_UNEXPECTED_MESSAGE_IN_ESTABLISHED(5, 3),
    CEASE(6, 0),
    CEASE_MAX_PREFIXES(6, 1),
    CEASE_ADMINISTRATIVE_SHUTDOWN(6, 2),
    CEASE_PEER_DECONFIGURED(6, 3),
    CEASE_ADMINISTRATIVE_RESET(6, 4),
    CEASE_CONNECTION_REJECTED(6, 5),
    CEASE_OTHER_CONFIGURATION_CHANGE(6, 6),
    CEASE_CONNECTION_COLLISION_RESOLUTION(6, 7),
    CEASE_OUT_OF_RESOURCES(6, 8),
    CEASE_HARD_RESET(6, 9),
    ROUTE_REFRESH_INVALID_LENGTH(7, 1);

    private final int code;
    private final int subcode;

    BgpError(int code, int subcode) {
        this.code = code;
        this.subcode = subcode;
    }

    public int code() { return code; }

    public int subcode() { return subcode; }

    /** The known error for a wire pair, if any. */
    public static Optional<BgpError> of(int code, int subcode) {
        for (BgpError e : values()) {
            if (e.code == code && e.subcode == subcode) return Optional.of(e);
        }
        return Optional.empty();
    }

    @Override
    public String toString() { return name() + "(" + code + "," + subcode + ")"; }
}
