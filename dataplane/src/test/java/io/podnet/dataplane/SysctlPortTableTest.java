package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.testkit.ManualClock;
import org.junit.jupiter.api.Test;

class SysctlPortTableTest {
    private final ManualClock clock = new ManualClock();
    private final FakeKernel kernel = new FakeKernel();

    @Test
    void sysctlsAreWrittenOnlyWhenTheyDifferAndRepairedOnResync() {
        var t = new SysctlTable(kernel, clock);
        t.setSysctl("cni/a", "net/ipv4/ip_forward", "1");
        t.setSysctl("overlay", "net/ipv4/ip_forward", "1");
        assertThat(t.apply().ok()).isTrue();
        assertThat(kernel.sysctl("net/ipv4/ip_forward")).contains("1");
        kernel.resetCalls();
        t.queueResync();
        assertThat(t.apply().ok()).isTrue();
        assertThat(kernel.calls(Op.SYSCTL_WRITE)).isZero();

        kernel.setSysctlOutOfBand("net/ipv4/ip_forward", "0");
        t.queueResync();
        assertThat(t.apply().updated()).isEqualTo(1);
        assertThat(kernel.sysctl("net/ipv4/ip_forward")).contains("1");

        t.removeSysctl("cni/a", "net/ipv4/ip_forward");
        t.removeSysctl("overlay", "net/ipv4/ip_forward");
        assertThat(t.apply().ok()).isTrue();
        assertThat(kernel.sysctl("net/ipv4/ip_forward")).as("never restored: nobody knows the old value").contains("1");
    }

    @Test
    void keysOfDevicesWithAnyValidInterfaceNameAreAcceptedButNoPathTricks() {
        var t = new SysctlTable(kernel, clock);
        t.setSysctl("cni/a", "net/ipv6/conf/br}x.1@y/accept_ra", "0"); // Linux allows these names (the CNI fuzz found '}')
        t.removeSysctl("cni/a", "net/ipv6/conf/br}x.1@y/accept_ra");
        for (String bad : new String[] {"net/ipv4/../../etc", "net/ipv4/./ip_forward", "etc/passwd", "net/ipv4/ip forward", "net//x"}) {
            assertThatThrownBy(() -> t.setSysctl("cni/a", bad, "1")).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aPerDeviceSysctlWaitsForItsDeviceAndReturnsWhenTheDeviceIsRecreated() {
        var t = new SysctlTable(kernel, clock);
        t.setSysctl("cni/a", "net/ipv6/conf/cni0/accept_ra", "0");
        assertThat(t.apply().ok()).isFalse();
        kernel.createLink("cni0", new LinkKind.Bridge());
        t.interfaceChanged("cni0");
        assertThat(t.apply().ok()).isTrue();
        assertThat(kernel.sysctl("net/ipv6/conf/cni0/accept_ra")).contains("0");
        kernel.removeLink("cni0");
        kernel.createLink("cni0", new LinkKind.Bridge());
        assertThat(kernel.sysctl("net/ipv6/conf/cni0/accept_ra")).contains("1");
        t.interfaceChanged("cni0");
        assertThat(t.apply().updated()).isEqualTo(1);
        assertThat(kernel.sysctl("net/ipv6/conf/cni0/accept_ra")).contains("0");
    }

    @Test
    void refusesKeysThatEscapeProcSys() {
        var t = new SysctlTable(kernel, clock);
        assertThatThrownBy(() -> t.setSysctl("x", "net/../../etc/passwd", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> t.setSysctl("x", "/net/ipv4/ip_forward", "1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void portsReturnToARecreatedBridgeAndAMissingVethIsNotAFailure() throws Exception {
        var ports = new PortTable(kernel, clock);
        kernel.createLink("cni0", new LinkKind.Bridge());
        kernel.addLink(LinkAttrs.named("pnv1").master("cni0").up(), LinkKind.Veth.peer("eth0x"));
        ports.setPortProgrammed("cni/a", "pnv1", "cni0");
        ports.setPort("cni/a", "pnvgone", "cni0");
        kernel.resetCalls();
        assertThat(ports.apply().ok()).isTrue();
        assertThat(kernel.calls(Op.LINK_SET)).isZero();

        kernel.removeLink("cni0");
        kernel.createLink("cni0", new LinkKind.Bridge());
        ports.interfaceChanged("cni0");
        assertThat(ports.apply().ok()).isTrue();
        int br = kernel.links().stream().filter(l -> l.name().equals("cni0")).findFirst().orElseThrow().index();
        assertThat(kernel.links()).anySatisfy(l -> {
            assertThat(l.name()).isEqualTo("pnv1");
            assertThat(l.masterIndex()).hasValue(br);
        });
        assertThat(ports.health().consecutiveFailures()).isZero();
    }
}
