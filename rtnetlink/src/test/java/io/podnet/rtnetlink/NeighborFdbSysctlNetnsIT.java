package io.podnet.rtnetlink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.MacAddress;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class NeighborFdbSysctlNetnsIT {

    @Test
    void managesPermanentArpAndNdpEntries(Netns a) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(a.name()))) {
            h.links().add(LinkAttrs.named("n0").up(), LinkKind.Veth.peer("n0p"));
            MacAddress mac = MacAddress.parse("02:11:22:33:44:55");
            h.neighbors().add(Neighbor.permanent("n0", IpAddress.parse("10.5.1.0"), mac));
            h.neighbors().replace(Neighbor.permanent("n0", IpAddress.parse("fd00::7"), mac));
            JsonNode n = Sh.ipJson(a.name(), "neigh", "show", "dev", "n0", "to", "10.5.1.0").get(0);
            assertThat(n.get("lladdr").asText()).isEqualTo("02:11:22:33:44:55");
            assertThat(n.get("state").toString()).contains("PERMANENT");
            assertThat(h.neighbors().list("n0")).contains(Neighbor.permanent("n0", IpAddress.parse("10.5.1.0"), mac),
                    Neighbor.permanent("n0", IpAddress.parse("fd00::7"), mac));
            h.neighbors().delete(Neighbor.permanent("n0", IpAddress.parse("10.5.1.0"), mac));
            assertThat(h.neighbors().deleteIfPresent(Neighbor.permanent("n0", IpAddress.parse("10.5.1.0"), mac))).isFalse();
            assertThat(Sh.ipJson(a.name(), "neigh", "show", "dev", "n0", "to", "10.5.1.0")).isEmpty();
        }
    }

    @Test
    void managesVxlanFdbEntriesWithRemoteDst(Netns a) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(a.name()))) {
            h.links().add(LinkAttrs.named("vx1"), LinkKind.Vxlan.of(7, 4789));
            MacAddress mac = MacAddress.parse("0a:00:00:00:00:01");
            FdbEntry e = FdbEntry.vxlan("vx1", mac, IpAddress.parse("10.99.0.2"));
            h.fdb().append(e);
            h.fdb().replace(e);
            JsonNode j = Sh.run("bridge", "-j", "-n", a.name(), "fdb", "show", "dev", "vx1").check().out().isBlank()
                    ? null : new com.fasterxml.jackson.databind.ObjectMapper().readTree(Sh.check("bridge", "-j", "-n", a.name(), "fdb", "show", "dev", "vx1"));
            assertThat(j).isNotNull();
            assertThat(j.toString()).contains("0a:00:00:00:00:01").contains("10.99.0.2").contains("permanent");
            assertThat(h.fdb().list("vx1")).anySatisfy(f -> {
                assertThat(f.mac()).isEqualTo(mac);
                assertThat(f.dst()).contains(IpAddress.parse("10.99.0.2"));
                assertThat(f.self()).isTrue();
                assertThat(f.state()).isEqualTo(NeighborState.PERMANENT);
            });
            h.fdb().delete(e);
            assertThat(h.fdb().list("vx1")).noneMatch(f -> f.mac().equals(mac));
            assertThat(h.fdb().deleteIfPresent(e)).isFalse();
        }
    }

    @Test
    void sysctlsArePerNamespace(Netns a) throws Exception {
        try (var h = Rtnetlink.open(NetNs.named(a.name()))) {
            h.links().add(LinkAttrs.named("s0"), LinkKind.Veth.peer("s0p"));
            h.sysctls().setIpForwarding(IpFamily.V4, true);
            h.sysctls().setProxyArp("s0", true);
            h.sysctls().setRpFilter("s0", 2);
            h.sysctls().setAcceptRa("s0", 0);
            assertThat(a.exec("sysctl", "-n", "net.ipv4.ip_forward").check().out().strip()).isEqualTo("1");
            assertThat(a.exec("sysctl", "-n", "net.ipv4.conf.s0.proxy_arp").check().out().strip()).isEqualTo("1");
            assertThat(a.exec("sysctl", "-n", "net.ipv4.conf.s0.rp_filter").check().out().strip()).isEqualTo("2");
            assertThat(h.sysctls().get("net.ipv6.conf.s0.accept_ra")).isEqualTo("0");
            assertThat(h.sysctls().get("net.ipv4.ip_forward")).isEqualTo("1");
            // multi-digit values read whole (Files.readString returned only the first byte of a /proc/sys file)
            h.sysctls().set("net.ipv4.neigh.s0.gc_stale_time", "1234");
            assertThat(a.exec("sysctl", "-n", "net.ipv4.neigh.s0.gc_stale_time").check().out().strip()).isEqualTo("1234");
            assertThat(h.sysctls().get("net.ipv4.neigh.s0.gc_stale_time")).isEqualTo("1234");
            h.sysctls().ensure("net.ipv4.neigh.s0.gc_stale_time", "1");
            assertThat(h.sysctls().get("net.ipv4.neigh.s0.gc_stale_time")).isEqualTo("1");
            // the host's own value is untouched by the namespace's
            assertThat(Optional.of(Sh.check("sysctl", "-n", "net.ipv4.conf.all.proxy_arp").strip())).isPresent();
        }
    }
}
