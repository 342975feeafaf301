package io.podnet.bgp.message;

import java.util.Arrays;
import java.util.Optional;

/**
 * The only exception the decoder throws: what is wrong as an RFC 4271 §6 (code, subcode) pair, how
 * RFC 7606 says to treat it, and the NOTIFICATION data field to send when the session is reset.
 * <p>
 * For the non-fatal treatments the decoder also hands back what can still be used ({@link #salvaged()}):
 * for {@link ErrorHandling#TREAT_AS_WITHDRAW} an UPDATE withdrawing every prefix the message carried, for
 * {@link ErrorHandling#ATTRIBUTE_DISCARD} the UPDATE without the discarded attributes.
 */
public final class MalformedMessageException extends Exception {
    private final BgpError error;
    private final ErrorHandling handling;
    private final byte[] data;
    private final transient UpdateMessage salvaged;

    public MalformedMessageException(BgpError error, ErrorHandling handling, byte[] data) {
        this(error, handling, data, null);
    }

    public MalformedMessageException(BgpError error, ErrorHandling handling, byte[] data, UpdateMessage salvaged) {
        super(error + " " + handling);
        this.error = error;
        this.handling = handling;
        this.data = data == null ? new byte[0] : data.clone();
        this.salvaged = salvaged;
    }

    public BgpError error() { return error; }

    public ErrorHandling handling() { return handling; }

    /** The NOTIFICATION data field (RFC 4271 §6.1–§6.3 say what goes in it for each error). */
    public byte[] data() { return data.clone(); }

    public Optional<UpdateMessage> salvaged() { return Optional.ofNullable(salvaged); }

    /** The same error with a salvaged UPDATE attached. */
    MalformedMessageException withSalvaged(UpdateMessage u) {
        return new MalformedMessageException(error, handling, data, u);
    }

    /** The NOTIFICATION to send for this error. */
    public NotificationMessage toNotification() {
        return new NotificationMessage(error.code(), error.subcode(), data);
    }

    @Override
    public String toString() {
        return "MalformedMessageException[" + error + ", " + handling + ", data=" + Arrays.toString(data) + "]";
    }
}
