package io.podnet.bgp.message;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * NOTIFICATION (RFC 4271 §4.5). Code and subcode are kept raw so unknown pairs round-trip; {@link #error()}
 * names the known ones.
 */
public record NotificationMessage(int code, int subcode, byte[] data) implements BgpMessage {
    public NotificationMessage {
        if (code < 0 || code > 255 || subcode < 0 || subcode > 255) {
            throw new IllegalArgumentException("code/subcode out of range: " + code + "/" + subcode);
        }
        data = data == null ? new byte[0] : data.clone();
    }

    public NotificationMessage(BgpError error) { this(error.code(), error.subcode(), new byte[0]); }

    public NotificationMessage(BgpError error, byte[] data) { this(error.code(), error.subcode(), data); }

    public Optional<BgpError> error() { return BgpError.of(code, subcode); }

    @Override
    public byte[] data() { return data.clone(); }

    @Override
    public int type() { return TYPE_NOTIFICATION; }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotificationMessage n && n.code == code && n.subcode == subcode && Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() { return (code * 31 + subcode) * 31 + Arrays.hashCode(data); }

    @Override
    public String toString() {
        return "Notification[" + error().map(Object::toString).orElse(code + "/" + subcode)
                + (data.length > 0 ? ", data=" + HexFormat.of().formatHex(data) : "") + "]";
    }
}
