package io.podnet.rtnetlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One received netlink message: the {@code nlmsghdr} fields and the whole message bytes ({@code data},
 * header included, so offsets match the kernel's).
 */
public record NlMessage(int type, int flags, int seq, int pid, byte[] data) {

    public int length() { return data.length; }

    /** A little-endian view of the message. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
    }

    /** Attributes following a fixed family header of {@code headerLen} bytes. */
    public NlAttrs attrs(int headerLen) {
        return NlAttrs.parse(data, Nl.NLMSG_HDRLEN + Nl.align(headerLen), data.length);
    }

    public boolean isError() { return type == Nl.NLMSG_ERROR; }

    public boolean isDone() { return type == Nl.NLMSG_DONE; }

    /** Splits a datagram into messages; a truncated tail is dropped. */
    public static List<NlMessage> split(byte[] buf, int len) {
        List<NlMessage> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len).order(ByteOrder.nativeOrder());
        int p = 0;
        while (p + Nl.NLMSG_HDRLEN <= len) {
            int mlen = b.getInt(p);
            if (mlen < Nl.NLMSG_HDRLEN || p + mlen > len) break;
            byte[] data = new byte[mlen];
            System.arraycopy(buf, p, data, 0, mlen);
            out.add(new NlMessage(b.getShort(p + 4) & 0xffff, b.getShort(p + 6) & 0xffff, b.getInt(p + 8), b.getInt(p + 12), data));
            p += Nl.align(mlen);
        }
        return out;
    }
}
