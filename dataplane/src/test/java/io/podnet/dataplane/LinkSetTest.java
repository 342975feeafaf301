package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.net.IpAddress;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.OperState;
import io.podnet.rtnetlink.Errno;
import io.podnet.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinkSetTest {
    private static final MacAddress VTEP = MacAddress.parse("0a:58:0a:f4:01:00");
    private final ManualClock clock = new ManualClock();
    private final FakeKernel kernel = new FakeKernel();
    private LinkSet links;

    @BeforeEach
    void setUp() {
        kernel.createLink("eth0", new LinkKind.Device());
        links = new LinkSet(kernel, clock, List.of("podnet"));
    }

    private static LinkKind.Vxlan vxlan(int vni) {
        return LinkKind.Vxlan.of(vni, 8472).withLocal(IpAddress.parse("192.168.50.1")).withDevice("eth0");
    }

    private Link link(String name) {
        return kernel.links().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void createsAMissingDeviceAndLeavesAMatchingOneAlone() {
        links.setLink(LinkAttrs.named("flannel.1").mtu(1450).mac(VTEP).up(), vxlan(1));
        assertThat(links.apply().ok()).isTrue();
        assertThat(link("flannel.1")).satisfies(l -> {
            assertThat(l.mtu()).isEqualTo(1450);
            assertThat(l.mac()).contains(VTEP);
            assertThat(l.isUp()).isTrue();
        });
        kernel.resetCalls();

        links.queueResync();
        assertThat(links.apply().ok()).isTrue();
        assertThat(kernel.writes()).isZero();
    }

    @Test
    void fixesMtuAndAdminStateInPlace() {
        links.setLink(LinkAttrs.named("flannel.1").mtu(1450).up(), vxlan(1));
        links.apply();
        Link l = link("flannel.1");
        kernel.updateLink(new Link(l.index(), l.name(), l.kind(), 1500, l.mac(), 0, OperState.DOWN, l.masterIndex(),
                l.parentIndex(), l.linkNetnsId()));
        kernel.resetCalls();

        links.queueResync();
        assertThat(links.apply().ok()).isTrue();

        assertThat(link("flannel.1").index()).as("same device").isEqualTo(l.index());
        assertThat(link("flannel.1").mtu()).isEqualTo(1450);
        assertThat(link("flannel.1").isUp()).isTrue();
        assertThat(kernel.calls(Op.LINK_DELETE)).isZero();
    }

    @Test
    void recreatesADeviceWhoseKindParametersChanged() {
        links.setLink(LinkAttrs.named("flannel.1").up(), vxlan(1));
        links.apply();
        links.setLink(LinkAttrs.named("flannel.1").up(), vxlan(2));

        assertThat(links.apply().ok()).isTrue();

        assertThat(link("flannel.1").kind()).isInstanceOfSatisfying(LinkKind.Vxlan.class, v -> assertThat(v.vni()).isEqualTo(2));
        assertThat(kernel.journal()).extracting(s -> s.split(" ")[0]).containsSubsequence("LINK_DELETE", "LINK_ADD");
    }

    @Test
    void deletesUndesiredOwnedLinksButNotOthers() {
        kernel.createLink("podnet0", new LinkKind.Bridge());
        kernel.createLink("docker0", new LinkKind.Bridge());
        links.setLink(LinkAttrs.named("flannel.1").up(), vxlan(1));
        links.apply();
        links.removeLink("flannel.1");

        assertThat(links.apply().deleted()).isEqualTo(1);

        assertThat(kernel.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0", "docker0");
    }

    @Test
    void missingUnderlayDeviceIsRetried() {
        kernel.failNext(Op.LINK_ADD, Errno.EBUSY);
        links.setLink(LinkAttrs.named("podnetbr0").up(), new LinkKind.Bridge());
        assertThat(links.apply().ok()).isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(links.apply().ok()).isTrue();
        assertThat(link("podnetbr0").kind()).isInstanceOf(LinkKind.Bridge.class);
    }

    @Test
    void refusesVethsAndPlainDevices() {
        assertThatThrownBy(() -> links.setLink(LinkAttrs.named("v0"), LinkKind.Veth.peer("v1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> links.setLink(LinkAttrs.named("eth1"), new LinkKind.Device()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
