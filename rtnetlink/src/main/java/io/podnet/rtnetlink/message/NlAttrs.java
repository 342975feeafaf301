package io.podnet.rtnetlink.message;

import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Attributes parsed from a region of a message: a list of {@code (type, value)} slices. Later duplicates
 * keep their order; {@link #get} returns the first. Malformed lengths end parsing (the kernel never sends
 * them; a fuzzed input yields a truncated list, never an exception).
 */
public final class NlAttrs {
    /** One attribute: its type (flags stripped), whether NLA_F_NESTED was set, and its value. */
    public record Attr(int type, boolean nested, byte[] value) {}

    private final List<Attr> attrs;

    private NlAttrs(List<Attr> attrs) {
        this.attrs = attrs;
    }

    public static NlAttrs parse(byte[] data, int offset, int end) {
        List<Attr> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        int p = offset;
        while (p + 4 <= end) {
            int len = b.getShort(p) & 0xffff;
            int rawType = b.getShort(p + 2) & 0xffff;
            if (len < 4 || p + len > end) break;
            byte[] v = new byte[len - 4];
            System.arraycopy(data, p + 4, v, 0, len - 4);
            out.add(new Attr(rawType & Nl.NLA_TYPE_MASK, (rawType & Nl.NLA_F_NESTED) != 0, v));
            p += Nl.align(len);
        }
        return new NlAttrs(Collections.unmodifiableList(out));
    }

    public static NlAttrs parse(byte[] value) {
        return parse(value, 0, value.length);
    }

    public List<Attr> all() { return attrs; }

    public Optional<byte[]> get(int type) {
        for (Attr a : attrs) if (a.type == type) return Optional.of(a.value);
        return Optional.empty();
    }

    public boolean has(int type) { return get(type).isPresent(); }

    public Optional<NlAttrs> nested(int type) { return get(type).map(NlAttrs::parse); }

    public Optional<String> string(int type) {
        return get(type).map(v -> {
            int n = 0;
            while (n < v.length && v[n] != 0) n++;
            return new String(v, 0, n, StandardCharsets.UTF_8);
        });
    }

    public OptionalInt u8(int type) {
        Optional<byte[]> v = get(type);
        return v.isPresent() && v.get().length >= 1 ? OptionalInt.of(v.get()[0] & 0xff) : OptionalInt.empty();
    }

    public OptionalInt u16(int type) {
        Optional<byte[]> v = get(type);
        return v.isPresent() && v.get().length >= 2
                ? OptionalInt.of(ByteBuffer.wrap(v.get()).order(ByteOrder.nativeOrder()).getShort() & 0xffff)
                : OptionalInt.empty();
    }

    public OptionalInt u16be(int type) {
        Optional<byte[]> v = get(type);
        return v.isPresent() && v.get().length >= 2
                ? OptionalInt.of(((v.get()[0] & 0xff) << 8) | (v.get()[1] & 0xff))
                : OptionalInt.empty();
    }

    public OptionalInt u32(int type) {
        Optional<byte[]> v = get(type);
        return v.isPresent() && v.get().length >= 4
                ? OptionalInt.of(ByteBuffer.wrap(v.get()).order(ByteOrder.nativeOrder()).getInt())
                : OptionalInt.empty();
    }

    public Optional<IpAddress> ip(int type) {
        return get(type).filter(v -> v.length == 4 || v.length == 16).map(IpAddress::ofBytes);
    }

    public Optional<MacAddress> mac(int type) {
        return get(type).filter(v -> v.length == 6).map(MacAddress::ofBytes);
    }
}
