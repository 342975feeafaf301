package io.podnet.rtnetlink.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NlTypeFilterTest {

    @Test
    void acceptsOnlyDellinkOnALittleEndianHost() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        // ldh [4]; jeq #0x1100 (RTM_DELLINK = 17, byte-swapped), jt 1; ret #0; ret #-1
        assertThat(HexFormat.of().formatHex(NlTypeFilter.program(Nl.RTM_DELLINK))).isEqualTo(
                "2800000004000000" + "1500010000110000" + "0600000000000000" + "06000000ffffffff");
    }

    @Test
    void jumpsFromEveryTestToTheAcceptInstruction() {
        byte[] p = NlTypeFilter.program(16, 17, 20);
        assertThat(p).hasSize(6 * NlTypeFilter.INSN);
        // jt of the i-th jeq (instruction 1+i) lands on instruction 5 (accept): 5 - (1+i) - 1
        for (int i = 0; i < 3; i++) assertThat(p[(1 + i) * NlTypeFilter.INSN + 2]).isEqualTo((byte) (3 - i));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(NlTypeFilter::program).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NlTypeFilter.program(70000)).isInstanceOf(IllegalArgumentException.class);
    }
}
