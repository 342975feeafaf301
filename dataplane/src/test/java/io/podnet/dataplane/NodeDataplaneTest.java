package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.net.Cidr;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.KernelEvent;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkEvent;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeDataplaneTest {
    private final ManualClock clock = new ManualClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final FakeKernel kernel = new FakeKernel();
    private final NodeDataplane node = NodeDataplane.create(kernel, clock, scheduler, NodeDataplane.Config.DEFAULT.withResync(Duration.ofSeconds(5)));

    @AfterEach
    void close() {
        node.close();
    }

    private void desireBridge() {
        node.links().setLink("cni/pods", LinkAttrs.named("cni0").up(), new LinkKind.Bridge());
        node.addresses().ownDevice("cni/pods", "cni0");
        node.addresses().setAddress("cni/pods", Address.of("cni0", "10.88.0.1/16"));
        node.sysctls().setSysctl("cni/pods", "net/ipv4/ip_forward", "1");
    }

    @Test
    void nothingIsWrittenBeforeStartAndStartAppliesTheRestoredStateAtOnce() throws Exception {
        desireBridge();
        assertThat(kernel.writes()).isZero();
        var first = node.start();
        assertThat(first.ok()).as(first.failures().toString()).isTrue();
        assertThat(kernel.links()).anyMatch(l -> l.name().equals("cni0"));
        assertThat(kernel.addresses()).contains(Address.of("cni0", "10.88.0.1/16"));
        assertThat(node.health()).allSatisfy(h -> assertThat(h.firstApplyDone()).as(h.table()).isTrue())
                .extracting(TableHealth::table).containsExactly("links[]", "ports", "sysctls", "addrs", "neigh", "fdb", "routes[table 254]", "nft[inet podnet]", "filter FORWARD");
    }

    @Test
    void linkAddressAndRouteEventsRepairWithoutWaitingForTheResync() throws Exception {
        desireBridge();
        node.routes().setRoute("routed", Route.device(IpPrefix.parse("10.65.0.7/32"), "cni0"));
        node.reconciler().runOnce();

        kernel.removeLink("cni0"); // ip link del cni0: the address and route go with it
        node.kernelEvent(new LinkEvent.Removed(kernel.links().getFirst()));
        node.kernelEvent(new LinkEvent.Removed(new io.podnet.rtnetlink.Link(99, "cni0", new LinkKind.Bridge(), 1500, java.util.Optional.empty(), 0,
                io.podnet.rtnetlink.OperState.DOWN, java.util.OptionalInt.empty(), java.util.OptionalInt.empty(), java.util.OptionalInt.empty())));
        var r = node.reconciler().runOnce(); // no clock advance: event-driven, not the periodic resync
        assertThat(r.ok()).as(r.failures().toString()).isTrue();
        assertThat(kernel.links()).anyMatch(l -> l.name().equals("cni0"));
        assertThat(kernel.addresses()).contains(Address.of("cni0", "10.88.0.1/16"));
        assertThat(kernel.routes()).anyMatch(x -> x.dst().equals(IpPrefix.parse("10.65.0.7/32")));

        kernel.deleteAddress(Address.of("cni0", "10.88.0.1/16"));
        node.kernelEvent(new KernelEvent.AddressChanged(Address.of("cni0", "10.88.0.1/16"), true));
        node.reconciler().runOnce();
        assertThat(kernel.addresses()).contains(Address.of("cni0", "10.88.0.1/16"));

        kernel.replaceAddress(Address.of("cni0", Cidr.parse("10.99.0.1/24"))); // stray address on an owned bridge
        node.kernelEvent(new KernelEvent.AddressChanged(Address.of("cni0", Cidr.parse("10.99.0.1/24")), false));
        node.reconciler().runOnce();
        assertThat(kernel.addresses()).doesNotContain(Address.of("cni0", Cidr.parse("10.99.0.1/24")));
    }

    @Test
    void thePeriodicResyncRepairsWhatSendsNoEvent() throws Exception {
        desireBridge();
        node.reconciler().runOnce();
        kernel.setSysctlOutOfBand("net/ipv4/ip_forward", "0");
        clock.advance(Duration.ofSeconds(6)); // past 5 s ± 10 %
        scheduler.runDue();
        node.reconciler().runOnce();
        assertThat(kernel.sysctl("net/ipv4/ip_forward")).contains("1");
    }
}
