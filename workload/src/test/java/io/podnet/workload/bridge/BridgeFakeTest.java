package io.podnet.workload.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.dataplane.Kernel.Op;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.dataplane.fake.FakeNetwork;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.testkit.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bridge networks on FakeKernel namespaces: the per-pod steps and the node state, without root. */
class BridgeFakeTest {
    static final BridgeConfig CFG = new BridgeConfig("cni0", 1450, true, true, true, true);
    private final ManualClock clock = new ManualClock();
    private final FakeNetwork world = new FakeNetwork();
    private final FakeKernel host = world.host();
    private final NodeDataplane dp = NodeDataplane.create(host, clock, new ManualScheduler(clock), NodeDataplane.Config.DEFAULT);
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        dp.close();
    }

    static Attachment pod(String ns, String cid, int n) {
        return new Attachment(FakeNetwork.ns(ns), "eth0", cid, List.of(new Attachment.IpConfig(Cidr.parse("10.88.0." + n + "/24"),
                Optional.of(IpAddress.parse("10.88.0.1")))), List.of(), Optional.empty());
    }

    BridgeNetwork network(NodeBridge node) {
        return new BridgeNetwork(node, host, world);
    }

    private Optional<Link> link(FakeKernel k, String name) {
        return k.links().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    @Test
    void theFirstAddMakesTheNodeStateAndLaterAddsPayNothingForIt() throws Exception {
        FakeKernel p1 = world.add("p1");
        world.add("p2");
        var net = network(new NodeBridge("pods", CFG, true, dp));
        Attachment a1 = pod("p1", "c1", 2);
        net.node().join(BridgeNetwork.gateways(a1), List.of(IpPrefix.parse("10.88.0.0/24")));
        var r1 = net.attach(a1);
        assertThat(link(host, "cni0")).hasValueSatisfying(l -> {
            assertThat(l.mtu()).isEqualTo(1450);
            assertThat(l.mac()).contains(NodeBridge.bridgeMac("cni0"));
        });
        assertThat(host.addresses()).contains(Address.of("cni0", "10.88.0.1/24"));
        assertThat(host.sysctl("net/ipv4/ip_forward")).contains("1");
        assertThat(host.sysctl("net/ipv6/conf/cni0/accept_ra")).contains("0");
        assertThat(host.nftRuleset().orElseThrow().render()).contains("ip saddr 10.88.0.0/24").contains("masquerade");
        assertThat(link(host, r1.hostVeth()).orElseThrow().masterIndex()).hasValue(link(host, "cni0").orElseThrow().index());
        assertThat(host.hairpin(r1.hostVeth())).isTrue();
        assertThat(p1.addresses()).contains(Address.of("eth0", "10.88.0.2/24"));
        assertThat(p1.routes()).anyMatch(r -> r.dst().isDefault() && r.gateway().equals(Optional.of(IpAddress.parse("10.88.0.1"))));

        host.resetCalls();
        Attachment a2 = pod("p2", "c2", 3);
        net.node().join(BridgeNetwork.gateways(a2), List.of(IpPrefix.parse("10.88.0.0/24")));
        try (var sb = net.openSandbox(a2.sandbox())) {
            var early = net.startVeth(a2, sb);
            assertThat(early).isPresent();
            net.attach(a2, sb, early, new Steps());
        }
        assertThat(host.journal()).as("a second ADD: the veth and its hairpin, no node state").allMatch(j -> j.contains("pnv"));
        assertThat(host.calls(Op.NFT_APPLY)).isZero();
    }

    @Test
    void aVanishedBridgeIsRepairedByTheAddThatNeedsIt() throws Exception {
        world.add("p1");
        var net = network(new NodeBridge("pods", CFG, true, dp));
        Attachment a1 = pod("p1", "c1", 2);
        net.node().join(BridgeNetwork.gateways(a1), List.of(IpPrefix.parse("10.88.0.0/24")));
        host.removeLink("cni0"); // nobody told the node yet (no event)
        net.attach(a1);
        assertThat(link(host, "cni0")).isPresent();
        assertThat(host.addresses()).contains(Address.of("cni0", "10.88.0.1/24"));
    }

    @Test
    void anExistingInterfaceInTheSandboxIsRefusedAndALeftoverHostEndReplaced() throws Exception {
        FakeKernel p1 = world.add("p1");
        p1.createLink("eth0", new LinkKind.Bridge());
        var net = network(new NodeBridge("pods", CFG, true, dp));
        Attachment a1 = pod("p1", "c1", 2);
        net.node().join(BridgeNetwork.gateways(a1), List.of(IpPrefix.parse("10.88.0.0/24")));
        assertThatThrownBy(() -> net.attach(a1)).isInstanceOf(BridgeNetwork.InterfaceExistsException.class);
        assertThat(link(host, a1.hostVethName())).isEmpty();
        assertThat(link(p1, "eth0")).hasValueSatisfying(l -> assertThat(l.kind()).isInstanceOf(LinkKind.Bridge.class));

        FakeKernel p2 = world.add("p2");
        Attachment a2 = pod("p2", "c2", 3);
        host.createLink(a2.hostVethName(), LinkKind.Veth.peer("")); // a crashed attempt's host end
        net.attach(a2);
        assertThat(link(p2, "eth0")).isPresent();
    }

    @Test
    void theLastEndpointTakesTheNodeStateAndAForeignBridgeIsNeverDeleted() throws Exception {
        world.add("p1");
        host.createLink("br-admin", new LinkKind.Bridge());
        host.replaceAddress(Address.of("br-admin", "192.168.9.1/24")); // the admin's
        var networks = new BridgeNetworks(dp, dir.resolve("networks"), false);
        BridgeConfig foreign = new BridgeConfig("br-admin", 0, true, false, false, true);
        NodeBridge node = networks.prepare("adm", foreign, List.of(Cidr.parse("10.88.0.1/24")), List.of(IpPrefix.parse("10.88.0.0/24")), dir);
        assertThat(node.ownsBridge()).isFalse();
        node.join(List.of(Cidr.parse("10.88.0.1/24")), List.of(IpPrefix.parse("10.88.0.0/24")));
        assertThat(host.addresses()).contains(Address.of("br-admin", "10.88.0.1/24"), Address.of("br-admin", "192.168.9.1/24"));
        networks.released("adm", () -> 0);
        dp.queueResync();
        dp.applyNow();
        assertThat(link(host, "br-admin")).isPresent();
        assertThat(host.addresses()).contains(Address.of("br-admin", "192.168.9.1/24")).doesNotContain(Address.of("br-admin", "10.88.0.1/24"));
        assertThat(host.nftRuleset()).isEmpty();
        assertThat(dir.resolve("networks/adm.json")).doesNotExist();
    }

    @Test
    void aRestartRestoresEveryNetworkWithEndpointsBeforeTheFirstPassAndRetiresTheEmptyOnes() throws Exception {
        var before = new BridgeNetworks(dp, dir.resolve("networks"), false);
        before.prepare("pods", CFG, List.of(Cidr.parse("10.88.0.1/24")), List.of(IpPrefix.parse("10.88.0.0/24")), dir.resolve("ipam"))
                .join(List.of(Cidr.parse("10.88.0.1/24")), List.of(IpPrefix.parse("10.88.0.0/24")));
        BridgeConfig other = new BridgeConfig("cni9", 0, true, false, false, false);
        before.prepare("gone", other, List.of(Cidr.parse("10.77.0.1/24")), List.of(IpPrefix.parse("10.77.0.0/24")), dir.resolve("ipam"))
                .join(List.of(Cidr.parse("10.77.0.1/24")), List.of(IpPrefix.parse("10.77.0.0/24")));
        assertThat(Files.list(dir.resolve("networks"))).hasSize(2);

        // the agent is killed; a new one starts on the same kernel with an empty desired state
        NodeDataplane next = NodeDataplane.create(host, clock, new ManualScheduler(clock), NodeDataplane.Config.DEFAULT);
        try {
            var after = new BridgeNetworks(next, dir.resolve("networks"), false);
            after.restore(r -> r.name().equals("pods") ? List.of(new BridgeNetworks.Endpoint("c1", "eth0")) : List.of());
            host.resetCalls();
            var first = next.start();
            assertThat(first.ok()).as(first.failures().toString()).isTrue();
            assertThat(host.journal()).as("nothing of the network with endpoints is removed or rewritten")
                    .noneMatch(j -> j.contains("cni0") || j.startsWith("NFT_APPLY"));
            assertThat(link(host, "cni0")).isPresent();
            assertThat(link(host, "cni9")).as("the network without endpoints is retired").isEmpty();
            assertThat(host.nftRuleset().orElseThrow().render()).contains("10.88.0.0/24");
            assertThat(after.records()).extracting(BridgeNetworks.Record::name).containsExactly("pods");
            assertThat(dir.resolve("networks/gone.json")).doesNotExist();
            assertThat(next.ports().desiredMaster(Attachment.hostVethName("c1", "eth0"))).contains("cni0");
        } finally {
            next.close();
        }
    }
}
