package io.podnet.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.agent.cni.BridgeCniHandler;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.CniRequestParser;
import io.podnet.cni.server.CniResponse;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.fake.FakeKernel;
import io.podnet.dataplane.fake.FakeNetwork;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.dataplane.nft.NftName;
import io.podnet.datastore.memory.MemoryDatastore;
import io.podnet.ipam.store.IpamStores;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.overlay.node.OverlayNode;
import io.podnet.overlay.subnet.LeaseAttrs;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetManager;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Route;
import io.podnet.testkit.ManualClock;
import io.podnet.workload.bridge.Attachment;
import io.podnet.workload.bridge.BridgeNetworks;
import io.podnet.workload.bridge.NodeBridge;
import io.podnet.workload.routed.RoutedNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's CNI bridge handler and the three producers of one node (overlay, a CNI bridge network, routed pods)
 * on a FakeKernel: no root, every kernel write visible.
 */
class NodeFakeTest {
    private final ManualClock clock = new ManualClock();
    private final FakeNetwork world = new FakeNetwork();
    private final FakeKernel host = world.host();
    private final NodeDataplane dp = NodeDataplane.create(host, clock, new ManualScheduler(clock), NodeDataplane.Config.DEFAULT);
    private final IpamStores stores = new IpamStores();
    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        dp.close();
        stores.close();
    }

    private BridgeCniHandler handler() {
        return new BridgeCniHandler(host, world, stores, new BridgeNetworks(dp, dir.resolve("networks"), false), dir.resolve("ipam"));
    }

    private String conf(String name, String subnet, boolean masq) {
        return """
                {"cniVersion":"1.0.0","name":"%s","type":"podnet","bridge":"br%s","isGateway":true,"ipMasq":%s,
                 "ipam":{"type":"podnet-ipam","fsync":false,"dataDir":"%s","ranges":[[{"subnet":"%s"}]]}}"""
                .formatted(name, Integer.toHexString(name.hashCode() & 0xfff), masq, dir.resolve("ipam"), subnet);
    }

    private static CniRequest request(String command, String cid, String ns, String conf) throws CniException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", cid);
        env.put("CNI_NETNS", FakeNetwork.ns(ns).path().toString());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/usr/lib/cni");
        return CniRequestParser.parse(env, conf.getBytes(StandardCharsets.UTF_8));
    }

    private Optional<Link> link(String name) {
        return host.links().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    @Test
    void theBridgeHandlersNodeStateLivesWhileTheNetworkHasEndpoints() throws Exception {
        world.add("p1");
        world.add("p2");
        BridgeCniHandler cni = handler();
        String conf = conf("pods", "10.88.0.0/24", true);
        String bridge = "br" + Integer.toHexString("pods".hashCode() & 0xfff);
        CniResponse r1 = cni.handle(request("ADD", "c1", "p1", conf));
        assertThat(r1.exitCode()).as(new String(r1.stdout(), StandardCharsets.UTF_8)).isZero();
        assertThat(new String(r1.stdout(), StandardCharsets.UTF_8)).contains(NodeBridge.bridgeMac(bridge).toString());
        cni.handle(request("ADD", "c2", "p2", conf));
        assertThat(link(bridge)).isPresent();
        assertThat(host.addresses()).contains(Address.of(bridge, "10.88.0.1/24"));
        assertThat(host.nftRuleset().orElseThrow().chains()).containsKey(NodeBridge.masqChain("pods"));
        assertThat(world.kernel(FakeNetwork.ns("p1")).addresses()).contains(Address.of("eth0", "10.88.0.2/24"));
        assertThat(Files.exists(dir.resolve("networks/pods.json"))).isTrue();

        cni.handle(request("DEL", "c1", "p1", conf));
        dp.reconciler().runOnce();
        assertThat(link(bridge)).as("one endpoint left").isPresent();
        assertThat(link(Attachment.hostVethName("c1", "eth0"))).isEmpty();

        cni.handle(request("DEL", "c2", "p2", conf));
        dp.reconciler().runOnce();
        assertThat(link(bridge)).as("the last endpoint takes the bridge").isEmpty();
        assertThat(host.nftRuleset()).isEmpty();
        assertThat(Files.exists(dir.resolve("networks/pods.json"))).isFalse();
        assertThat(cni.handle(request("DEL", "c2", "p2", conf)).exitCode()).as("DEL again").isZero();
    }

    @Test
    void aNameWithAQuoteAndANewlineIsCode7AndLeavesLaterAddsAloneAndDashAndDotGetTheirOwnChains() throws Exception {
        world.add("p1");
        world.add("p2");
        world.add("p3");
        BridgeCniHandler cni = handler();
        String evil = conf("x\\\"y\\nz", "10.87.0.0/24", true);
        assertThatThrownBy(() -> cni.handle(request("ADD", "c0", "p1", evil))).isInstanceOfSatisfying(CniException.class, e -> {
            assertThat(e.code()).isEqualTo(7);
            assertThat(e.getMessage()).contains("name");
        });
        assertThat(cni.handle(request("ADD", "c1", "p1", conf("a-b", "10.89.0.0/24", true))).exitCode()).isZero();
        assertThat(cni.handle(request("ADD", "c2", "p2", conf("a.b", "10.90.0.0/24", true))).exitCode()).isZero();
        var chains = host.nftRuleset().orElseThrow().chains();
        assertThat(chains).containsKeys(NftName.of("cni_masq_a_hb"), NftName.of("cni_masq_a_db"));
        assertThat(chains.get(NftName.of("cni_masq_a_hb")).rules().getFirst().matches().toString()).contains("10.89.0.0/24");
        assertThat(chains.get(NftName.of("cni_masq_a_db")).rules().getFirst().matches().toString()).contains("10.90.0.0/24");
        assertThat(cni.handle(request("ADD", "c3", "p3", conf("pods", "10.91.0.0/24", true))).exitCode()).isZero();
    }

    @Test
    void overlayBridgeAndRoutedPodsShareTheNodeAndAFullResyncDeletesNoneOfTheirs() throws Exception {
        host.createLink("eth0", new LinkKind.Device());
        host.replaceAddress(Address.of("eth0", "192.168.200.1/24"));
        host.replaceRoute(Route.via(IpPrefix.DEFAULT_V4, IpAddress.parse("192.168.200.254"), "eth0"));
        MemoryDatastore store = new MemoryDatastore(clock);
        SubnetManager other = new SubnetManager(store);
        other.writeConfig(NetworkConfig.parse("{\"Network\":\"10.244.0.0/16\",\"Backend\":{\"Type\":\"vxlan\"}}"));
        other.acquire(new LeaseAttrs(IpAddress.parse("192.168.200.2"), "vxlan", Optional.of(MacAddress.parse("0a:58:0a:f4:02:00")), 1),
                Optional.of(IpPrefix.parse("10.244.2.0/24")));
        var overlay = new OverlayNode(dp, store, new OverlayNode.Settings("/coreos.com/network", Optional.empty(), Optional.of("eth0"),
                dir.resolve("subnet.env"), true, true, dir.resolve("overlay.json")), clock, new ManualScheduler(clock), Runnable::run,
                (d, l, p, o) -> { throw new AssertionError("no udp"); });
        try {
            dp.start();
            overlay.start();
            world.add("p1");
            world.add("r1");
            assertThat(handler().handle(request("ADD", "c1", "p1", conf("pods", "10.88.0.0/24", true))).exitCode()).isZero();
            Attachment routedPod = new Attachment(FakeNetwork.ns("r1"), "eth0", "r1",
                    List.of(new Attachment.IpConfig(Cidr.parse("10.65.0.7/32"), Optional.empty())), List.of(), Optional.empty());
            new RoutedNetwork(dp, world, 0).attach(routedPod);
            dp.applyNow();
            List<Route> routes = host.routes();
            List<Link> links = host.links();
            String rules = host.nftRuleset().orElseThrow().render();
            assertThat(routes).anyMatch(r -> r.dst().equals(IpPrefix.parse("10.244.2.0/24")) && r.dev().equals(Optional.of("flannel.1")))
                    .anyMatch(r -> r.dst().equals(IpPrefix.parse("10.65.0.7/32")) && r.dev().orElse("").startsWith("cali"));
            assertThat(rules).contains("overlay_masq").contains("cni_masq_pods");

            host.resetCalls();
            dp.queueResync();
            assertThat(dp.applyNow().ok()).isTrue();
            assertThat(host.writes()).as("a full resync writes nothing: " + host.journal()).isZero();
            assertThat(host.routes()).containsExactlyInAnyOrderElementsOf(routes);
            assertThat(host.links()).containsExactlyInAnyOrderElementsOf(links);
            assertThat(host.nftRuleset().orElseThrow().render()).isEqualTo(rules);
        } finally {
            overlay.close();
        }
    }
}
