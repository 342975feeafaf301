package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class FdbTableNetnsIT {
    private static final MacAddress VTEP2 = MacAddress.parse("0a:58:0a:f4:02:00");
    private static final MacAddress ZERO = MacAddress.parse("00:00:00:00:00:00");

    /** "mac dst" for every entry with a dst on {@code dev}, as {@code bridge -j fdb show} prints them. */
    private static List<String> entries(Netns ns, String dev) throws Exception {
        String out = Sh.check("bridge", "-j", "-n", ns.name(), "fdb", "show", "dev", dev);
        List<String> list = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(out.isBlank() ? "[]" : out)) {
            if (e.has("dst")) list.add(e.get("mac").asText() + " " + e.get("dst").asText());
        }
        return list;
    }

    @Test
    void programsRemoteEntriesMovesUnicastMacsAndResyncRemovesStrays(Netns ns) throws Exception {
        Sh.ip(ns.name(), "link", "add", "vx1", "type", "vxlan", "id", "1", "dstport", "8472", "nolearning");
        Sh.ip(ns.name(), "link", "set", "vx1", "up");
        try (var h = Rtnetlink.open(NetNs.named(ns.name()))) {
            var table = new FdbTable(new RtnetlinkKernel(h), InstantSource.system(), Set.of("vx1"));
            table.setEntry("vx1", VTEP2, IpAddress.parse("192.168.50.12"));
            table.setEntry("vx1", ZERO, IpAddress.parse("192.168.50.12"));
            table.setEntry("vx1", ZERO, IpAddress.parse("192.168.50.13"));
            assertThat(table.apply().failures()).isEmpty();
            assertThat(entries(ns, "vx1")).containsExactlyInAnyOrder("0a:58:0a:f4:02:00 192.168.50.12",
                    "00:00:00:00:00:00 192.168.50.12", "00:00:00:00:00:00 192.168.50.13");

            // the remote node moved to a new underlay address
            table.removeEntry("vx1", VTEP2, IpAddress.parse("192.168.50.12"));
            table.setEntry("vx1", VTEP2, IpAddress.parse("192.168.50.22"));
            Sh.check("bridge", "-n", ns.name(), "fdb", "append", "0a:58:0a:f4:09:00", "dev", "vx1", "dst", "192.168.50.99", "self", "permanent");
            table.queueResync();
            ApplyResult r = table.apply();

            assertThat(r.failures()).isEmpty();
            assertThat(entries(ns, "vx1")).containsExactlyInAnyOrder("0a:58:0a:f4:02:00 192.168.50.22",
                    "00:00:00:00:00:00 192.168.50.12", "00:00:00:00:00:00 192.168.50.13");

            table.queueResync();
            ApplyResult again = table.apply();
            assertThat(again.updated() + again.deleted()).as("in sync after a resync: " + again).isZero();
        }
    }
}
