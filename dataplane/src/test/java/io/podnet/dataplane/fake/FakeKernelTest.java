package io.podnet.dataplane.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.NetlinkException;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.RouteType;
import io.podnet.rtnetlink.Errno;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeKernelTest {

    @Test
    void injectedFailuresAreQueuedPerOperationAndCounted() throws Exception {
        var k = new FakeKernel();
        k.createLink("eth0", new LinkKind.Device());
        k.failNext(Op.ROUTE_REPLACE, Errno.EBUSY);
        k.failNext(Op.ROUTE_REPLACE, Errno.ENOBUFS);
        Route r = Route.device(IpPrefix.parse("10.0.0.0/24"), "eth0");

        assertThatThrownBy(() -> k.replaceRoute(r)).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EBUSY));
        assertThatThrownBy(() -> k.replaceRoute(r)).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.ENOBUFS));
        k.replaceRoute(r);

        assertThat(k.calls(Op.ROUTE_REPLACE)).isEqualTo(3);
        assertThat(k.routes()).hasSize(1);
        assertThat(k.journal()).hasSize(3);
    }

    @Test
    void behavesLikeTheKernelWhereTablesDependOnIt() throws Exception {
        var k = new FakeKernel();
        assertThatThrownBy(() -> k.replaceRoute(Route.device(IpPrefix.parse("10.0.0.0/24"), "nope")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV));
        assertThatThrownBy(() -> k.deleteRoute(Route.to(IpPrefix.parse("10.0.0.0/24"))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.isNotFound()).isTrue());

        k.replaceRoute(Route.to(IpPrefix.parse("fd00::/64")).type(RouteType.BLACKHOLE).protocol(RouteProtocol.PODNET));
        assertThat(k.routes()).singleElement().satisfies(r -> {
            assertThat(r.metric()).hasValue(1024);
            assertThat(r.dev()).contains("lo");
        });

        k.createLink("vx", LinkKind.Vxlan.of(1, 8472));
        MacAddress mac = MacAddress.parse("0a:00:00:00:00:01");
        k.appendFdb(FdbEntry.vxlan("vx", mac, IpAddress.parse("192.168.0.1")));
        k.appendFdb(FdbEntry.vxlan("vx", mac, IpAddress.parse("192.168.0.2")));
        assertThat(k.fdbEntries()).as("append keeps a unicast MAC's remote").extracting(e -> e.dst().orElseThrow().toString())
                .containsExactly("192.168.0.1");
        k.removeLink("vx");
        assertThat(k.fdbEntries()).isEmpty();
    }

    @Test
    void manualSchedulerRunsDueTasksInOrderAndHonoursCancel() {
        var clock = new ManualClock();
        var s = new ManualScheduler(clock);
        List<String> ran = new ArrayList<>();
        s.schedule(Duration.ofSeconds(2), () -> ran.add("b"));
        s.schedule(Duration.ofSeconds(1), () -> ran.add("a"));
        s.schedule(Duration.ofSeconds(1), () -> ran.add("x")).cancel();
        assertThat(s.runDue()).isZero();
        clock.advance(Duration.ofSeconds(5));
        assertThat(s.runDue()).isEqualTo(2);
        assertThat(ran).containsExactly("a", "b");
        assertThat(s.pending()).isZero();
    }
}
