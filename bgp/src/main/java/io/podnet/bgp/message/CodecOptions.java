package io.podnet.bgp.message;

/**
 * What the two speakers negotiated that changes the wire format: 4-octet AS numbers in AS_PATH and
 * AGGREGATOR (RFC 6793 §3) and the 65535-octet message limit (RFC 8654 §3).
 */
public record CodecOptions(boolean fourOctetAs, boolean extendedMessage) {
    /** Before OPEN is exchanged: RFC 4271 limits, 4-octet AS assumed (OPEN itself does not depend on it). */
    public static final CodecOptions DEFAULT = new CodecOptions(true, false);
    public static final CodecOptions TWO_OCTET_AS = new CodecOptions(false, false);

    /** The largest message size allowed (RFC 4271 §4.1: 4096; RFC 8654: 65535 for UPDATE etc.). */
    public int maxMessageSize() { return extendedMessage ? 65535 : 4096; }
}
