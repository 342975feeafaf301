package io.podnet.cnm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cnm.state.PortMapping;
import io.podnet.cnm.state.StateDir;
import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.Errno;
import io.podnet.testkit.ManualClock;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Docker network driver on a FakeKernel: its node state, a restart that removes nothing, and failures that leak nothing. */
class NetworkDriverFakeTest {
    static final String NET = "3d29a1c2b4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f";
    static final String EP1 = "ccd4e35c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5";
    static final String BRIDGE = "pnd" + NET.substring(0, 11);
    private final ManualClock clock = new ManualClock();
    private final FakeKernel kernel = new FakeKernel();
    @TempDir
    Path dir;

    private CnmConfig config() {
        return new CnmConfig(dir.resolve("x.sock"), dir.resolve("state"), IpPrefix.parse("10.240.0.0/12"), 24, false, true);
    }

    private NodeDataplane dataplane() {
        return NodeDataplane.create(kernel, clock, new ManualScheduler(clock), NodeDataplane.Config.DEFAULT.withLinkPrefixes(List.of("pnd")));
    }

    private NetworkDriver driver(NodeDataplane dp) throws Exception {
        return new NetworkDriver(config(), new StateDir(config().stateDir(), false), dp);
    }

    private boolean hasLink(String name) {
        return kernel.links().stream().anyMatch(l -> l.name().equals(name));
    }

    @Test
    void aNetworkWithAPublishedPortIsNodeStateAndARestartRemovesNothing() throws Exception {
        NodeDataplane dp = dataplane();
        dp.start();
        NetworkDriver d = driver(dp);
        d.createNetwork(NET, "10.235.0.0/24", "10.235.0.1/24", null, null);
        List<PortMapping> ports = List.of(new PortMapping(6, "127.0.0.1", 18081, 18081, 80));
        d.createEndpoint(NET, EP1, "10.235.0.2/24", "", "", ports);
        d.join(NET, EP1, Optional.of(ports));
        d.programExternalConnectivity(NET, EP1, Optional.of(ports));
        assertThat(hasLink(BRIDGE)).isTrue();
        assertThat(kernel.addresses()).contains(Address.of(BRIDGE, "10.235.0.1/24"));
        assertThat(kernel.sysctl("net/ipv4/conf/" + BRIDGE + "/route_localnet")).contains("1");
        String rules = kernel.nftRuleset().orElseThrow().render();
        assertThat(rules).contains("ip daddr 127.0.0.1/32 tcp dport 18081 dnat ip to 10.235.0.2:80").contains("ip saddr 10.235.0.0/24");
        dp.close();

        NodeDataplane after = dataplane();
        driver(after).restore();
        kernel.resetCalls();
        assertThat(after.start().ok()).isTrue();
        assertThat(kernel.journal()).as("a restart rewrites nothing").isEmpty();
        assertThat(after.ports().desiredMaster("pnh" + EP1.substring(0, 11))).contains(BRIDGE);
        after.close();
    }

    @Test
    void aFailedJoinLeavesNoVethAndDeleteNetworkLeavesNothing() throws Exception {
        NodeDataplane dp = dataplane();
        dp.start();
        NetworkDriver d = driver(dp);
        d.createNetwork(NET, "10.235.0.0/24", "10.235.0.1/24", null, null);
        d.createEndpoint(NET, EP1, "10.235.0.2/24", "", "", List.of());
        kernel.failNext(Op.LINK_ADD, Errno.EPERM);
        assertThatThrownBy(() -> d.join(NET, EP1, Optional.empty())).isInstanceOf(CnmException.class).hasMessageContaining("EPERM");
        assertThat(kernel.links()).noneMatch(l -> l.name().startsWith("pnh") || l.name().startsWith("pnc"));
        d.join(NET, EP1, Optional.empty());
        d.leave(NET, EP1);
        d.deleteEndpoint(NET, EP1);
        d.deleteNetwork(NET);
        assertThat(kernel.links()).extracting(io.podnet.rtnetlink.Link::name).containsExactly("lo");
        assertThat(kernel.nftRuleset()).isEmpty();
        dp.close();
    }
}
