package io.podnet.overlay.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UdpRoutesTest {
    private static IpPrefix p(String s) { return IpPrefix.parse(s); }

    private static IpAddress a(String s) { return IpAddress.parse(s); }

    private static int v4(String s) { return a(s).v4Int(); }

    @Test
    void emptyTableHasNoRoute() {
        assertThat(UdpRoutes.empty().lookup(v4("10.5.2.1"))).isEqualTo(UdpRoutes.NO_ROUTE);
        assertThat(UdpRoutes.empty().lookup(a("10.5.2.1"))).isEmpty();
    }

    @Test
    void longestPrefixWins() {
        UdpRoutes r = UdpRoutes.of(Map.of(
                p("0.0.0.0/0"), a("192.168.90.100"),
                p("10.5.0.0/16"), a("192.168.90.16"),
                p("10.5.2.0/24"), a("192.168.90.2"),
                p("10.5.2.128/25"), a("192.168.90.25"),
                p("10.5.2.7/32"), a("192.168.90.32")));
        assertThat(r.lookup(a("10.5.2.7"))).contains(a("192.168.90.32"));
        assertThat(r.lookup(a("10.5.2.200"))).contains(a("192.168.90.25"));
        assertThat(r.lookup(a("10.5.2.8"))).contains(a("192.168.90.2"));
        assertThat(r.lookup(a("10.5.9.1"))).contains(a("192.168.90.16"));
        assertThat(r.lookup(a("172.16.0.1"))).contains(a("192.168.90.100"));
    }

    @Test
    void addressesAboveTheSignBitAreOrderedUnsigned() {
        UdpRoutes r = UdpRoutes.of(Map.of(
                p("10.0.0.0/8"), a("192.168.1.1"),
                p("200.1.0.0/16"), a("192.168.1.2"),
                p("128.0.0.0/16"), a("192.168.1.3"),
                p("255.255.255.0/24"), a("192.168.1.4")));
        assertThat(r.lookup(a("200.1.3.4"))).contains(a("192.168.1.2"));
        assertThat(r.lookup(a("128.0.200.1"))).contains(a("192.168.1.3"));
        assertThat(r.lookup(a("255.255.255.9"))).contains(a("192.168.1.4"));
        assertThat(r.lookup(a("10.9.9.9"))).contains(a("192.168.1.1"));
        assertThat(r.lookup(a("127.255.255.255"))).isEmpty();
        assertThat(r.lookup(a("200.2.0.0"))).isEmpty();
    }

    @Test
    void withAndWithoutCopyAndLeaveTheOriginalUntouched() {
        UdpRoutes one = UdpRoutes.empty().with(p("10.5.1.0/24"), a("192.168.90.1"));
        UdpRoutes two = one.with(p("10.5.2.0/24"), a("192.168.90.2"));
        UdpRoutes moved = two.with(p("10.5.2.0/24"), a("192.168.90.9"));
        UdpRoutes back = moved.without(p("10.5.2.0/24"));
        assertThat(one.size()).isEqualTo(1);
        assertThat(one.lookup(a("10.5.2.1"))).isEmpty();
        assertThat(two.lookup(a("10.5.2.1"))).contains(a("192.168.90.2"));
        assertThat(moved.lookup(a("10.5.2.1"))).contains(a("192.168.90.9"));
        assertThat(back).isEqualTo(one);
        assertThat(back.without(p("10.5.7.0/24"))).isSameAs(back);
        assertThat(two.asMap()).containsEntry(p("10.5.1.0/24"), a("192.168.90.1")).hasSize(2);
    }

    @Test
    void matchesALinearScanOnRandomTables() {
        Random rnd = new Random(42);
        for (int round = 0; round < 50; round++) {
            Map<IpPrefix, IpAddress> m = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                int len = rnd.nextInt(33);
                m.put(IpPrefix.of(IpAddress.v4(rnd.nextInt() & 0x0a0fffff | 0x0a000000), len),
                        IpAddress.v4(0xc0a80000 | (i + 1)));
            }
            UdpRoutes r = UdpRoutes.of(m);
            for (int q = 0; q < 500; q++) {
                IpAddress dst = IpAddress.v4(rnd.nextInt() & 0x0a0fffff | 0x0a000000);
                IpPrefix best = null;
                for (IpPrefix cand : m.keySet()) {
                    if (cand.contains(dst) && (best == null || cand.length() > best.length())) best = cand;
                }
                assertThat(r.lookup(dst)).as("%s in %s", dst, m).isEqualTo(java.util.Optional.ofNullable(best).map(m::get));
            }
        }
    }

    @Test
    void rejectsIpv6AndTheZeroRemote() {
        assertThatThrownBy(() -> UdpRoutes.empty().with(p("fd00::/64"), a("192.168.1.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> UdpRoutes.empty().with(p("10.5.1.0/24"), a("fd00::1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> UdpRoutes.of(Map.of(p("10.5.1.0/24"), a("0.0.0.0"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.0.0.0");
        assertThat(UdpRoutes.of(Map.of(p("10.5.1.0/24"), a("192.168.1.1"))).lookup(a("fd00::1"))).isEmpty();
    }
}
