package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class LinkSetNetnsIT {

    private static JsonNode link(Netns ns, String name) {
        return Sh.ipJson(ns.name(), "link", "show", name).get(0);
    }

    @Test
    void createsRepairsAndRecreatesVxlanAndBridgeDevices(Netns ns) throws Exception {
        Sh.ip(ns.name(), "link", "add", "u0", "type", "veth", "peer", "name", "u0p");
        Sh.ip(ns.name(), "addr", "add", "192.168.50.1/24", "dev", "u0");
        Sh.ip(ns.name(), "link", "set", "u0", "up");
        Sh.ip(ns.name(), "link", "add", "pnstale0", "type", "bridge");
        try (var h = Rtnetlink.open(NetNs.named(ns.name()))) {
            var links = new LinkSet(new RtnetlinkKernel(h), InstantSource.system(), List.of("pn"));
            var vtep = MacAddress.parse("0a:58:0a:f4:01:00");
            var vx = LinkKind.Vxlan.of(1, 8472).withLocal(IpAddress.parse("192.168.50.1")).withDevice("u0");
            links.setLink(LinkAttrs.named("flannel.1").mtu(1450).mac(vtep).up(), vx);
            links.setLink(LinkAttrs.named("pnbr0").up(), new LinkKind.Bridge());

            ApplyResult r = links.apply();

            assertThat(r.failures()).isEmpty();
            JsonNode f = link(ns, "flannel.1");
            assertThat(f.get("mtu").asInt()).isEqualTo(1450);
            assertThat(f.get("address").asText()).isEqualTo("0a:58:0a:f4:01:00");
            assertThat(f.get("flags").toString()).contains("UP");
            JsonNode data = f.get("linkinfo").get("info_data");
            assertThat(data.get("id").asInt()).isEqualTo(1);
            assertThat(data.get("port").asInt()).isEqualTo(8472);
            assertThat(data.get("local").asText()).isEqualTo("192.168.50.1");
            assertThat(Sh.ipJson(ns.name(), "link", "show").findValuesAsText("ifname")).doesNotContain("pnstale0");

            links.queueResync();
            ApplyResult again = links.apply();
            assertThat(again.updated() + again.deleted()).as("a resync of matching devices writes nothing: " + again).isZero();

            Sh.ip(ns.name(), "link", "set", "flannel.1", "down", "mtu", "1400");
            int index = f.get("ifindex").asInt();
            links.queueResync();
            assertThat(links.apply().ok()).isTrue();
            JsonNode fixed = link(ns, "flannel.1");
            assertThat(fixed.get("ifindex").asInt()).as("fixed in place").isEqualTo(index);
            assertThat(fixed.get("mtu").asInt()).isEqualTo(1450);
            assertThat(fixed.get("flags").toString()).contains("UP");

            links.setLink(LinkAttrs.named("flannel.1").mtu(1450).mac(vtep).up(), LinkKind.Vxlan.of(2, 8472).withDevice("u0"));
            assertThat(links.apply().ok()).isTrue();
            assertThat(link(ns, "flannel.1").get("linkinfo").get("info_data").get("id").asInt()).isEqualTo(2);
        }
    }
}
