package io.podnet.overlay.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** {@link SendBatch}: gathered messages, per-message sockaddr and the UDP_SEGMENT control message (LP64 ABI). */
class SendBatchTest {
    private static long at(MemorySegment base, long off) {
        return base.get(ValueLayout.JAVA_LONG, off);
    }

    @Test
    void wiresGatheredMessagesWithSockaddrAndUdpSegmentControl() {
        try (Arena arena = Arena.ofConfined()) {
            SendBatch b = new SendBatch(arena, 4, 8, 4);
            MemorySegment data = arena.allocate(4096, 8);
            long h = b.takeHeader();
            b.begin(0xc0a85a02, 8285);
            b.piece(b.headers(), h, 52);
            b.piece(data, 100, 1420);
            b.piece(b.headers(), b.takeHeader(), 52);
            b.piece(data, 1520, 300);
            b.end(2, 1472 + 352, 1472);
            b.begin(0x0a000001, 9);
            b.piece(data, 0, 60);
            b.end(1, 60, 0);

            assertThat(b.messages()).isEqualTo(2);
            MemorySegment msgs = b.from(0).reinterpret(2 * MmsgBatch.MMSGHDR.byteSize());
            // message 0: sockaddr_in 192.168.90.2:8285, 4 iovecs, a 24-byte cmsg SOL_UDP/UDP_SEGMENT = 1472
            MemorySegment name = MemorySegment.ofAddress(at(msgs, 0)).reinterpret(16);
            assertThat(name.get(ValueLayout.JAVA_SHORT, 0)).isEqualTo((short) 2);
            assertThat(name.get(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2)).isEqualTo((short) 8285);
            assertThat(name.get(ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), 4)).isEqualTo(0xc0a85a02);
            assertThat(msgs.get(ValueLayout.JAVA_INT, 8)).isEqualTo(16);
            MemorySegment iov = MemorySegment.ofAddress(at(msgs, 16)).reinterpret(4 * 16);
            assertThat(at(msgs, 24)).isEqualTo(4);
            assertThat(at(iov, 0)).isEqualTo(b.headers().address());
            assertThat(at(iov, 8)).isEqualTo(52);
            assertThat(at(iov, 16)).isEqualTo(data.address() + 100);
            assertThat(at(iov, 24)).isEqualTo(1420);
            assertThat(at(iov, 32)).isEqualTo(b.headers().address() + SendBatch.HEADER_SLOT);
            MemorySegment cmsg = MemorySegment.ofAddress(at(msgs, 32)).reinterpret(24);
            assertThat(at(msgs, 40)).isEqualTo(24);
            assertThat(at(cmsg, 0)).isEqualTo(18);
            assertThat(cmsg.get(ValueLayout.JAVA_INT, 8)).isEqualTo(NativeIo.SOL_UDP);
            assertThat(cmsg.get(ValueLayout.JAVA_INT, 12)).isEqualTo(NativeIo.UDP_SEGMENT);
            assertThat(cmsg.get(ValueLayout.JAVA_SHORT, 16)).isEqualTo((short) 1472);
            assertThat(b.isGso(0)).isTrue();
            assertThat(b.segments(0)).isEqualTo(2);
            // message 1: one iovec right after message 0's, no control message
            long m1 = MmsgBatch.MMSGHDR.byteSize();
            assertThat(at(msgs, m1 + 16)).isEqualTo(at(msgs, 16) + 4 * 16);
            assertThat(at(msgs, m1 + 24)).isEqualTo(1);
            assertThat(at(msgs, m1 + 32)).isZero();
            assertThat(at(msgs, m1 + 40)).isZero();
            assertThat(b.isGso(1)).isFalse();
            assertThat(b.hasRoom(2, 3, 2)).isTrue(); // 5 of 8 iovecs and 2 of 4 headers used
            assertThat(b.hasRoom(1, 4, 1)).isFalse();
            assertThat(b.hasRoom(3, 1, 1)).isFalse();
            b.clear();
            assertThat(b.messages()).isZero();
            assertThat(b.hasRoom(4, 8, 4)).isTrue();
        }
    }
}
