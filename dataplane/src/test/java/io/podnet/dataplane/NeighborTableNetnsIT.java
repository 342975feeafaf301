package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class NeighborTableNetnsIT {

    /** ip -> "lladdr state" for every neighbour on {@code dev}. */
    private static Map<String, String> neighbours(Netns ns, String dev) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode n : Sh.ipJson(ns.name(), "neigh", "show", "dev", dev)) {
            out.put(n.get("dst").asText(), n.path("lladdr").asText() + " " + n.get("state").get(0).asText());
        }
        return out;
    }

    @Test
    void programsPermanentNeighboursAndResyncRemovesOnlyStrayPermanentOnes(Netns ns) throws Exception {
        Sh.ip(ns.name(), "link", "add", "vx1", "type", "vxlan", "id", "1", "dstport", "8472", "nolearning");
        Sh.ip(ns.name(), "link", "set", "vx1", "up");
        try (var h = Rtnetlink.open(NetNs.named(ns.name()))) {
            var table = new NeighborTable(new RtnetlinkKernel(h), InstantSource.system(), Set.of("vx1"));
            table.setNeighbor("vx1", IpAddress.parse("10.244.2.0"), MacAddress.parse("0a:58:0a:f4:02:00"));
            table.setNeighbor("vx1", IpAddress.parse("fd00:244:2::"), MacAddress.parse("0a:58:0a:f4:02:00"));
            assertThat(table.apply().failures()).isEmpty();
            assertThat(neighbours(ns, "vx1")).containsEntry("10.244.2.0", "0a:58:0a:f4:02:00 PERMANENT")
                    .containsEntry("fd00:244:2::", "0a:58:0a:f4:02:00 PERMANENT");

            Sh.ip(ns.name(), "neigh", "add", "10.244.9.0", "lladdr", "0a:58:0a:f4:09:00", "dev", "vx1", "nud", "permanent");
            Sh.ip(ns.name(), "neigh", "add", "10.244.8.0", "lladdr", "0a:58:0a:f4:08:00", "dev", "vx1", "nud", "stale");
            table.setNeighbor("vx1", IpAddress.parse("10.244.2.0"), MacAddress.parse("0a:58:0a:f4:02:01"));
            table.queueResync();
            ApplyResult r = table.apply();

            assertThat(r.ok()).isTrue();
            assertThat(r.deleted()).isEqualTo(1);
            assertThat(r.updated()).as("only the changed MAC").isEqualTo(1);
            assertThat(neighbours(ns, "vx1")).doesNotContainKey("10.244.9.0").containsKey("10.244.8.0")
                    .containsEntry("10.244.2.0", "0a:58:0a:f4:02:01 PERMANENT");

            table.removeNeighbor("vx1", IpAddress.parse("fd00:244:2::"));
            assertThat(table.apply().deleted()).isEqualTo(1);
            assertThat(neighbours(ns, "vx1")).doesNotContainKey("fd00:244:2::");
        }
    }
}
