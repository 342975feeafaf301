package io.podnet.dataplane.nft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class NftNameTest {

    @Test
    void dashAndDotGetSeparateNames() {
        assertThat(NftName.derive("cni_masq_", "a-b")).isEqualTo(NftName.of("cni_masq_a_hb"));
        assertThat(NftName.derive("cni_masq_", "a.b")).isEqualTo(NftName.of("cni_masq_a_db"));
        assertThat(NftName.derive("cni_masq_", "a_b")).isEqualTo(NftName.of("cni_masq_a__b"));
    }

    @Test
    void longNamesAreBoundedWithAHashThatKeepsThemApart() {
        String base = "n".repeat(200);
        NftName a = NftName.derive("cni_masq_", base + "a");
        NftName b = NftName.derive("cni_masq_", base + "b");
        assertThat(a.value()).hasSizeLessThanOrEqualTo(NftName.MAX).contains("_z");
        assertThat(a).isNotEqualTo(b);
        // a name exactly at the limit is not hashed, and differs from any hashed one
        String exact = "x".repeat(NftName.MAX - "cni_masq_".length());
        assertThat(NftName.derive("cni_masq_", exact).value()).isEqualTo("cni_masq_" + exact);
    }

    @Test
    void refusesInvalidNames() {
        assertThatThrownBy(() -> NftName.of("1abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NftName.of("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NftName.of("a\"b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NftName.of("fwd")).as("an nft keyword").isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 300)
    void deriveIsInjectiveOnCniNames(@ForAll @StringLength(min = 1, max = 80) @Chars({'_', '.', '-', 'a', 'B', '0'}) @CharRange(from = 'a', to = 'c') String x,
                                    @ForAll @StringLength(min = 1, max = 80) @Chars({'_', '.', '-', 'a', 'B', '0'}) @CharRange(from = 'a', to = 'c') String y) {
        if (x.equals(y)) return;
        assertThat(NftName.derive("m_", x)).isNotEqualTo(NftName.derive("m_", y));
    }

    @Test
    void escapesOfSmallNamesNeverCollide() {
        Set<String> seen = new HashSet<>();
        String alphabet = "a_.-";
        int n = 0;
        for (int len = 1; len <= 5; len++) {
            int[] idx = new int[len];
            while (true) {
                StringBuilder sb = new StringBuilder();
                for (int i : idx) sb.append(alphabet.charAt(i));
                assertThat(seen.add(NftName.derive("p_", sb.toString()).value())).as(sb.toString()).isTrue();
                n++;
                int k = len - 1;
                while (k >= 0 && ++idx[k] == alphabet.length()) idx[k--] = 0;
                if (k < 0) break;
            }
        }
        assertThat(n).isEqualTo(4 + 16 + 64 + 256 + 1024);
    }
}
