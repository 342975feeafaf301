package io.podnet.rtnetlink.message;

import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink message: the {@code nlmsghdr}, a fixed family header, then attributes.
 * Nested attributes close themselves:
 * <pre>{@code
 * try (var _ = w.nest(IFLA_LINKINFO)) { w.string(IFLA_INFO_KIND, "vxlan"); }
 * }</pre>
 * Not thread-safe; one writer per message.
 */
public final class NlMsgWriter {
    private ByteBuffer buf;

    public NlMsgWriter(int type, int flags) {
        buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    private void pad() {
        int p = Nl.align(buf.position()) - buf.position();
        ensure(p);
        for (int i = 0; i < p; i++) buf.put((byte) 0);
    }

    // ---- fixed-header fields ----
    public NlMsgWriter u8(int v) { ensure(1); buf.put((byte) v); return this; }

    public NlMsgWriter u16(int v) { ensure(2); buf.putShort((short) v); return this; }

    public NlMsgWriter u32(int v) { ensure(4); buf.putInt(v); return this; }

    // ---- attributes ----
    private void header(int type, int payloadLen) {
        ensure(4 + Nl.align(payloadLen));
        buf.putShort((short) (4 + payloadLen)).putShort((short) type);
    }

    public NlMsgWriter attr(int type, byte[] value) {
        header(type, value.length);
        buf.put(value);
        pad();
        return this;
    }

    public NlMsgWriter u8(int type, int v) { header(type, 1); buf.put((byte) v); pad(); return this; }

    public NlMsgWriter u16(int type, int v) { header(type, 2); buf.putShort((short) v); pad(); return this; }

    /** A 16-bit value in network byte order (e.g. {@code IFLA_VXLAN_PORT}). */
    public NlMsgWriter u16be(int type, int v) {
        header(type, 2);
        buf.put((byte) (v >>> 8)).put((byte) v);
        pad();
        return this;
    }

    public NlMsgWriter u32(int type, int v) { header(type, 4); buf.putInt(v); pad(); return this; }

    /** A NUL-terminated string. */
    public NlMsgWriter string(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return attr(type, Arrays.copyOf(b, b.length + 1));
    }

    public NlMsgWriter ip(int type, IpAddress a) { return attr(type, a.toBytes()); }

    public NlMsgWriter mac(int type, MacAddress m) { return attr(type, m.toBytes()); }

    /** Opens a nested attribute; closing the returned handle fixes its length. */
    public Nest nest(int type) {
        ensure(4);
        int start = buf.position();
        buf.putShort((short) 0).putShort((short) (type | Nl.NLA_F_NESTED));
        return new Nest(start);
    }

    /** Opens a nested attribute without the NLA_F_NESTED flag (some old kernel attributes expect that). */
    public Nest nestPlain(int type) {
        ensure(4);
        int start = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return new Nest(start);
    }

    /** A scope that closes a nested attribute. */
    public final class Nest implements AutoCloseable {
        private final int start;

        private Nest(int start) { this.start = start; }

        @Override
        public void close() {
            buf.putShort(start, (short) (buf.position() - start));
            pad();
        }
    }

    /** Finishes the message with sequence number {@code seq}; returns its bytes. */
    public byte[] finish(int seq) {
        buf.putInt(0, buf.position());
        buf.putInt(8, seq);
        return Arrays.copyOf(buf.array(), buf.position());
    }
}
