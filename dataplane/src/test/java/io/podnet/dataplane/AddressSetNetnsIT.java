package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.Cidr;
import io.podnet.rtnetlink.Address;
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
class AddressSetNetnsIT {

    private static List<String> addrs(Netns ns, String dev) {
        List<String> out = new ArrayList<>();
        for (JsonNode l : Sh.ipJson(ns.name(), "addr", "show", "dev", dev)) {
            for (JsonNode a : l.get("addr_info")) out.add(a.get("local").asText() + "/" + a.get("prefixlen").asText());
        }
        return out;
    }

    @Test
    void programsAddressesAndResyncKeepsLinkLocal(Netns ns) throws Exception {
        Sh.ip(ns.name(), "link", "add", "vx1", "type", "vxlan", "id", "1", "dstport", "8472", "nolearning");
        Sh.ip(ns.name(), "link", "set", "vx1", "up");
        try (var h = Rtnetlink.open(NetNs.named(ns.name()))) {
            var set = new AddressSet(new RtnetlinkKernel(h), InstantSource.system(), Set.of("vx1"));
            set.setAddress(Address.of("vx1", "10.244.1.0/32"));
            set.setAddress(Address.of("vx1", "fd00:244:1::/128"));
            assertThat(set.apply().failures()).isEmpty();
            Sh.ip(ns.name(), "addr", "add", "10.99.0.1/24", "dev", "vx1");

            set.removeAddress("vx1", Cidr.parse("fd00:244:1::/128"));
            set.queueResync();
            ApplyResult r = set.apply();

            assertThat(r.failures()).isEmpty();
            assertThat(r.deleted()).isEqualTo(2);
            List<String> now = addrs(ns, "vx1");
            assertThat(now).contains("10.244.1.0/32").doesNotContain("10.99.0.1/24", "fd00:244:1::/128");
            assertThat(now).anyMatch(a -> a.startsWith("fe80:")); // the kernel's own link-local address stays
        }
    }
}
