package io.podnet.workload.routed;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.dataplane.fake.FakeNetwork;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import io.podnet.testkit.ManualClock;
import io.podnet.workload.bridge.Attachment;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutedFakeTest {
    private final ManualClock clock = new ManualClock();
    private final FakeNetwork world = new FakeNetwork();
    private final FakeKernel host = world.host();
    private final NodeDataplane dp = NodeDataplane.create(host, clock, new ManualScheduler(clock), NodeDataplane.Config.DEFAULT);

    @AfterEach
    void close() {
        dp.close();
    }

    private boolean hostHas(String dst) {
        return host.routes().stream().anyMatch(r -> r.dst().equals(IpPrefix.parse(dst)));
    }

    @Test
    void hostRoutesAreDesiredStateThatAFullResyncKeepsBesideTheOverlaysRoutes() throws Exception {
        host.createLink("flannel.1", LinkKind.Vxlan.of(1, 8472));
        dp.routes().setRoute("overlay", Route.via(IpPrefix.parse("10.244.2.0/24"), IpAddress.parse("10.244.2.0"), "flannel.1").withOnlink());
        world.add("p1");
        var net = new RoutedNetwork(dp, world, 0);
        Attachment a = new Attachment(FakeNetwork.ns("p1"), "eth0", "c1",
                List.of(new Attachment.IpConfig(Cidr.parse("10.65.1.7/26"), Optional.empty())), List.of(), Optional.empty());
        var r = net.attach(a);
        assertThat(r.hostVeth()).startsWith("cali");
        assertThat(hostHas("10.65.1.7/32")).isTrue();
        assertThat(hostHas("10.244.2.0/24")).isTrue();
        assertThat(world.kernel(FakeNetwork.ns("p1")).neighbors()).anyMatch(n -> n.ip().equals(RoutedNetwork.GATEWAY_V4));

        dp.queueResync();
        assertThat(dp.applyNow().ok()).isTrue();
        assertThat(hostHas("10.65.1.7/32")).isTrue();
        assertThat(hostHas("10.244.2.0/24")).isTrue();
        assertThat(net.check(a)).isEmpty();

        net.detach(a);
        dp.applyNow();
        assertThat(hostHas("10.65.1.7/32")).isFalse();
        assertThat(hostHas("10.244.2.0/24")).isTrue();
    }
}
