package io.podnet.overlay.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MmsgBatchTest {
    @Test
    void structLayoutsMatchLinuxLp64() {
        // <bits/socket.h> struct msghdr and <linux/socket.h> struct mmsghdr on x86_64/aarch64
        assertThat(MmsgBatch.MSGHDR.byteSize()).isEqualTo(56);
        assertThat(MmsgBatch.MSGHDR.byteOffset(PathElement.groupElement("msg_namelen"))).isEqualTo(8);
        assertThat(MmsgBatch.MSGHDR.byteOffset(PathElement.groupElement("msg_iov"))).isEqualTo(16);
        assertThat(MmsgBatch.MSGHDR.byteOffset(PathElement.groupElement("msg_iovlen"))).isEqualTo(24);
        assertThat(MmsgBatch.MSGHDR.byteOffset(PathElement.groupElement("msg_control"))).isEqualTo(32);
        assertThat(MmsgBatch.MSGHDR.byteOffset(PathElement.groupElement("msg_controllen"))).isEqualTo(40);
        assertThat(MmsgBatch.MSGHDR.byteOffset(PathElement.groupElement("msg_flags"))).isEqualTo(48);
        assertThat(MmsgBatch.MMSGHDR.byteSize()).isEqualTo(64);
        assertThat(MmsgBatch.MMSGHDR.byteOffset(PathElement.groupElement("msg_len"))).isEqualTo(56);
        assertThat(MmsgBatch.IOVEC.byteSize()).isEqualTo(16);
    }

    @Test
    void wiresEachMessageToItsOwnBufferAndSockaddr() {
        try (Arena arena = Arena.ofConfined()) {
            MmsgBatch b = new MmsgBatch(arena, 3, 2048, true);
            b.setDestination(1, 0xc0a85a02, 8285);
            b.setLength(1, 84);
            MemorySegment msg1 = b.messagesFrom(1);
            MemorySegment name = msg1.get(ValueLayout.ADDRESS, 0).reinterpret(16);
            // sockaddr_in: AF_INET (host order), port 8285 = 0x205d big-endian, 192.168.90.2, zero padding
            assertThat(HexFormat.of().formatHex(name.toArray(ValueLayout.JAVA_BYTE)))
                    .isEqualTo("0200205dc0a85a020000000000000000");
            assertThat(msg1.get(ValueLayout.JAVA_INT, 8)).isEqualTo(16);
            MemorySegment iov = msg1.get(ValueLayout.ADDRESS, 16).reinterpret(16);
            assertThat(iov.get(ValueLayout.ADDRESS, 0).address()).isEqualTo(b.buffer(1).address());
            assertThat(iov.get(ValueLayout.JAVA_LONG, 8)).isEqualTo(84);
            assertThat(msg1.get(ValueLayout.JAVA_LONG, 24)).isEqualTo(1);
            assertThat(b.buffer(2).address() - b.buffer(1).address()).isEqualTo(2048);
            b.resetLength(1);
            assertThat(iov.get(ValueLayout.JAVA_LONG, 8)).isEqualTo(2048);
        }
    }

    @Test
    void receiveBatchesCarryNoSockaddr() {
        try (Arena arena = Arena.ofConfined()) {
            MmsgBatch b = new MmsgBatch(arena, 2, 1500, false);
            assertThat(b.messagesFrom(0).get(ValueLayout.ADDRESS, 0)).isEqualTo(MemorySegment.NULL);
            assertThat(b.messagesFrom(0).get(ValueLayout.JAVA_INT, 8)).isZero();
        }
    }

    @Test
    void optionsRejectOutOfRangeValues() {
        assertThatThrownBy(() -> new UdpTunnelOptions(0, 9216, 8285)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpTunnelOptions(1025, 9216, 8285)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpTunnelOptions(64, 100, 8285)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpTunnelOptions(64, 9216, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(UdpTunnelOptions.DEFAULTS.withBatchSize(8).batchSize()).isEqualTo(8);
    }
}
