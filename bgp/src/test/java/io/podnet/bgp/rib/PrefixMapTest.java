package io.podnet.bgp.rib;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrefixMapTest {
    @Test
    void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
        PrefixMap<Integer> m = new PrefixMap<>();
        Map<IpPrefix, Integer> ref = new HashMap<>();
        Random r = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            IpPrefix p = r.nextInt(10) == 0
                    ? IpPrefix.of(IpAddress.parse("fd00::" + Integer.toHexString(r.nextInt(5000))), 128)
                    : IpPrefix.of(IpAddress.v4(r.nextInt(20_000) << 8), 16 + r.nextInt(17));
            if (r.nextInt(3) == 0) {
                assertThat(m.remove(p)).isEqualTo(ref.remove(p));
            } else {
                assertThat(m.put(p, i)).isEqualTo(ref.put(p, i));
            }
        }
        assertThat(m.size()).isEqualTo(ref.size());
        ref.forEach((p, v) -> assertThat(m.get(p)).isEqualTo(v));
        Map<IpPrefix, Integer> back = new HashMap<>();
        m.forEach(back::put);
        assertThat(back).isEqualTo(ref);
        assertThat(m.get(IpPrefix.parse("0.0.0.0/0"))).isNull();
        m.put(IpPrefix.parse("0.0.0.0/0"), -1);
        assertThat(m.get(IpPrefix.parse("0.0.0.0/0"))).isEqualTo(-1);
    }
}
