package io.podnet.rtnetlink.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A classic BPF socket filter ({@code SO_ATTACH_FILTER}) that lets through only netlink messages of the given
 * {@code nlmsg_type}s, so an event reader that wants, say, only {@code RTM_DELLINK} is not woken for every
 * {@code RTM_NEWLINK}. The kernel sends each notification in its own datagram, so testing the first header is
 * enough. The program, for types T1..Tn:
 * <pre>
 *   ldh [4]                  ; nlmsg_type (BPF_ABS loads are big-endian: compare with the native-order bytes)
 *   jeq #T1, accept          ; one per type
 *   ...
 *   ret #0                   ; drop
 *   accept: ret #0xffffffff  ; keep the whole datagram
 * </pre>
 * {@link #program} returns the {@code struct sock_filter} array ({@code u16 code, u8 jt, u8 jf, u32 k}, native
 * byte order).
 */
public final class NlTypeFilter {
    static final short LD_H_ABS = 0x28;   // BPF_LD | BPF_H | BPF_ABS
    static final short JEQ_K = 0x15;      // BPF_JMP | BPF_JEQ | BPF_K
    static final short RET_K = 0x06;      // BPF_RET | BPF_K
    /** Bytes of one {@code struct sock_filter}. */
    public static final int INSN = 8;

    private NlTypeFilter() {}

    /** The filter program accepting only messages whose type is one of {@code types} (1 to 250 types). */
    public static byte[] program(int... types) {
        int n = types.length;
        if (n < 1 || n > 250) throw new IllegalArgumentException("1 to 250 message types, got " + n);
        ByteBuffer b = ByteBuffer.allocate((n + 3) * INSN).order(ByteOrder.nativeOrder());
        insn(b, LD_H_ABS, 0, 0, 4); // offsetof(struct nlmsghdr, nlmsg_type)
        for (int i = 0; i < n; i++) {
            if (types[i] < 0 || types[i] > 0xffff) throw new IllegalArgumentException("not a message type: " + types[i]);
            insn(b, JEQ_K, n - i, 0, asLoaded(types[i]));
        }
        insn(b, RET_K, 0, 0, 0);
        insn(b, RET_K, 0, 0, 0xffffffff);
        return b.array();
    }

    /** The value {@code ldh} yields for a native-order u16 field holding {@code type}. */
    static int asLoaded(int type) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? type : Short.toUnsignedInt(Short.reverseBytes((short) type));
    }

    private static void insn(ByteBuffer b, short code, int jt, int jf, int k) {
        b.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
