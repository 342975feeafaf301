package io.podnet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NetValuesTest {

    @Test
    void parsesAndPrintsIpv4AndIpv6() {
        assertThat(IpAddress.parse("10.244.1.5").toString()).isEqualTo("10.244.1.5");
        assertThat(IpAddress.parse("FD00:0:0:0:0:0:0:1").toString()).isEqualTo("fd00::1");
        assertThat(IpAddress.parse("2001:db8:0:0:1:0:0:1").toString()).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpAddress.parse("::").toString()).isEqualTo("::");
        assertThat(IpAddress.parse("1:0:1:0:1:0:1:0").toString()).isEqualTo("1:0:1:0:1:0:1:0");
    }

    @Test
    void rejectsHostNamesAndGarbage() {
        assertThatThrownBy(() -> IpAddress.parse("localhost")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpAddress.parse("10.0.0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpAddress.parse("300.0.0.1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundTripsBytes() {
        for (String s : List.of("0.0.0.0", "255.255.255.255", "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")) {
            IpAddress a = IpAddress.parse(s);
            assertThat(IpAddress.ofBytes(a.toBytes())).isEqualTo(a);
            assertThat(IpAddress.of(a.toInetAddress())).isEqualTo(a);
        }
    }

    @Test
    void arithmeticCarriesAcrossIpv6Halves() {
        IpAddress a = IpAddress.parse("fd00::ffff:ffff:ffff:ffff");
        assertThat(a.next().toString()).isEqualTo("fd00:0:0:1::");
        assertThat(a.next().add(-1)).isEqualTo(a);
        assertThat(IpAddress.parse("10.0.0.1").distanceTo(IpAddress.parse("10.0.1.0"))).isEqualTo(255);
    }

    @Test
    void prefixesAreMaskedAndContainment() {
        IpPrefix p = IpPrefix.parse("10.244.0.0/16");
        assertThat(p.contains(IpAddress.parse("10.244.3.4"))).isTrue();
        assertThat(p.contains(IpAddress.parse("10.245.0.1"))).isFalse();
        assertThat(p.contains(IpPrefix.parse("10.244.8.0/24"))).isTrue();
        assertThat(p.last().toString()).isEqualTo("10.244.255.255");
        assertThat(p.subnet(24, 5).toString()).isEqualTo("10.244.5.0/24");
        assertThat(IpPrefix.parse("fd00:1::/64").last().toString()).isEqualTo("fd00:1::ffff:ffff:ffff:ffff");
        assertThatThrownBy(() -> IpPrefix.parse("10.244.1.0/16")).hasMessageContaining("host bits");
        assertThat(Cidr.parse("10.244.1.5/16").prefix()).isEqualTo(p);
    }

    @Test
    void rangesIterateInclusive() {
        List<String> seen = new ArrayList<>();
        IpRange.parse("10.0.0.254-10.0.1.1").forEach(a -> seen.add(a.toString()));
        assertThat(seen).containsExactly("10.0.0.254", "10.0.0.255", "10.0.1.0", "10.0.1.1");
        assertThat(IpRange.parse("10.0.0.0-10.0.0.255").size()).isEqualTo(256);
    }

    @Test
    void macAddressesParseFormatAndRandomIsLocalUnicast() {
        assertThat(MacAddress.parse("02:42:AC:11:00:02").toString()).isEqualTo("02:42:ac:11:00:02");
        MacAddress r = MacAddress.random(new Random(7));
        assertThat(r.toBytes()[0] & 0x03).isEqualTo(0x02);
        assertThatThrownBy(() -> MacAddress.parse("02:42:ac:11:00")).isInstanceOf(IllegalArgumentException.class);
    }
}
