package io.podnet.bgp.message;

/**
 * What the session negotiated that changes how UPDATEs are read or written: 4-octet AS numbers in AS_PATH and
 * AGGREGATOR (RFC 6793 §3), the 65535-octet message limit (RFC 8654 §3), and whether the peer is external,
 * which changes the RFC 7606 treatment of LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST (§7.5, §7.9, §7.10).
 *
 * @param fourOctetAs      both OPENs carried the 4-octet AS capability
 * @param extendedMessage  both OPENs carried the extended message capability
 * @param external         the peer is in another AS (eBGP)
 */
public record CodecOptions(boolean fourOctetAs, boolean extendedMessage, boolean external) {
    /** Before OPEN is exchanged: RFC 4271 limits, 4-octet AS assumed (OPEN itself does not depend on it). */
    public static final CodecOptions DEFAULT = new CodecOptions(true, false, false);
    public static final CodecOptions TWO_OCTET_AS = new CodecOptions(false, false, false);

    /** An internal session's options. */
    public CodecOptions(boolean fourOctetAs, boolean extendedMessage) { this(fourOctetAs, extendedMessage, false); }

    /** The same options for an external ({@code true}) or internal peer. */
    public CodecOptions withExternal(boolean e) { return new CodecOptions(fourOctetAs, extendedMessage, e); }

    /** The largest message size allowed (RFC 4271 §4.1: 4096; RFC 8654: 65535 for UPDATE etc.). */
    public int maxMessageSize() { return extendedMessage ? 65535 : 4096; }
}
