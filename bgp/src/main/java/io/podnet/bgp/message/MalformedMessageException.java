package io.podnet.bgp.message;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The only exception the decoder throws: what is wrong as an RFC 4271 §6 (code, subcode) pair, how
 * RFC 7606 says to treat it, and the NOTIFICATION data field to send when the session is reset.
 * <p>
 * For the non-fatal treatments the decoder also hands back what can still be used ({@link #salvaged()}):
 * for {@link ErrorHandling#TREAT_AS_WITHDRAW} an UPDATE withdrawing every prefix the message carried, for
 * {@link ErrorHandling#ATTRIBUTE_DISCARD} the UPDATE without the discarded attributes, for
 * {@link ErrorHandling#AFI_SAFI_DISABLE} the UPDATE without the malformed MP_REACH_NLRI/MP_UNREACH_NLRI
 * (withdrawing its other prefixes if another attribute asked for treat-as-withdraw), with
 * {@link #families()} naming the address families to disable (RFC 4760 §7).
 */
public final class MalformedMessageException extends Exception {
    private final BgpError error;
    private final ErrorHandling handling;
    private final byte[] data;
    private final transient Set<AfiSafi> families;
    private final transient UpdateMessage salvaged;

    public MalformedMessageException(BgpError error, ErrorHandling handling, byte[] data) {
        this(error, handling, data, Set.of(), null);
    }

    public MalformedMessageException(BgpError error, ErrorHandling handling, byte[] data, UpdateMessage salvaged) {
        this(error, handling, data, Set.of(), salvaged);
    }

    private MalformedMessageException(BgpError error, ErrorHandling handling, byte[] data, Set<AfiSafi> families,
                                      UpdateMessage salvaged) {
        super(error + " " + handling + (families.isEmpty() ? "" : " " + families));
        this.error = error;
        this.handling = handling;
        this.data = data == null ? new byte[0] : data.clone();
        this.families = Set.copyOf(families);
        this.salvaged = salvaged;
    }

    /** An AFI/SAFI-disable error for the malformed MP attribute of {@code family} (RFC 4760 §7, RFC 7606 §5.3). */
    static MalformedMessageException disable(BgpError error, AfiSafi family, byte[] data) {
        return new MalformedMessageException(error, ErrorHandling.AFI_SAFI_DISABLE, data, Set.of(family), null);
    }

    public BgpError error() { return error; }

    public ErrorHandling handling() { return handling; }

    /** The NOTIFICATION data field (RFC 4271 §6.1–§6.3 say what goes in it for each error). */
    public byte[] data() { return data.clone(); }

    /** For {@link ErrorHandling#AFI_SAFI_DISABLE}: the families whose MP attribute was malformed; else empty. */
    public Set<AfiSafi> families() { return families; }

    public Optional<UpdateMessage> salvaged() { return Optional.ofNullable(salvaged); }

    /** The same error with a salvaged UPDATE attached. */
    MalformedMessageException withSalvaged(UpdateMessage u) {
        return new MalformedMessageException(error, handling, data, families, u);
    }

    /** The same error for these families. */
    MalformedMessageException withFamilies(Set<AfiSafi> f) {
        return new MalformedMessageException(error, handling, data, f, salvaged);
    }

    /** The same error and data with another treatment (RFC 7606 §5.2 escalates to a session reset). */
    MalformedMessageException withHandling(ErrorHandling h) {
        return new MalformedMessageException(error, h, data, h == ErrorHandling.AFI_SAFI_DISABLE ? families : Set.of(), null);
    }

    /** The NOTIFICATION to send for this error. */
    public NotificationMessage toNotification() {
        return new NotificationMessage(error.code(), error.subcode(), data);
    }

    @Override
    public String toString() {
        return "MalformedMessageException[" + error + ", " + handling + (families.isEmpty() ? "" : ", " + families)
                + ", data=" + Arrays.toString(data) + "]";
    }
}
