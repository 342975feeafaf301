package io.podnet.agent.node;

import io.podnet.agent.cni.BridgeCniHandler;
import io.podnet.cni.server.CniResponse;
import io.podnet.dataplane.ExecutorScheduler;
import io.podnet.dataplane.NamespaceSandboxes;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdDatastore;
import io.podnet.ipam.store.IpamStores;
import io.podnet.net.Cidr;
import io.podnet.net.IpPrefix;
import io.podnet.overlay.node.OverlayNode;
import io.podnet.overlay.subnet.SubnetEnv;
import io.podnet.rtnetlink.NetNs;
import io.podnet.testkit.Daemons;
import io.podnet.testkit.EtcdServer;
import io.podnet.testkit.Netns;
import io.podnet.testkit.Sh;
import io.podnet.workload.bridge.Attachment;
import io.podnet.workload.bridge.BridgeNetworks;
import io.podnet.workload.routed.RoutedNetwork;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Two nodes in throwaway namespaces on one underlay switch, each with its own node dataplane (resync shortened to
 * {@link #RESYNC}) and the three producers a node may run at once: the vxlan overlay (real etcd), a CNI bridge
 * network (the agent's handler, called in-process) with one pod, and a routed pod whose {@code /32} lies in the
 * node's lease. Everything carries the run's prefix and is removed by {@link #close()}.
 */
final class TwoNodeBed implements AutoCloseable {
    static final Duration RESYNC = Duration.ofSeconds(2);
    final Path dir;
    final EtcdServer etcd;
    final Netns sw;
    final List<Node> nodes = new ArrayList<>();
    private final List<AutoCloseable> closers = new ArrayList<>();

    /** One node: its namespace, dataplane, overlay, bridge pod and routed pod. */
    static final class Node {
        Netns ns;
        NodeDataplane dp;
        OverlayNode overlay;
        BridgeCniHandler cni;
        Netns bridgePod;
        String bridgePodIp;
        Netns routedPod;
        String routedPodIp;
        RoutedNetwork routed;
        IpPrefix lease;
    }

    TwoNodeBed() throws Exception {
        dir = Files.createTempDirectory(io.podnet.testkit.RunId.prefix() + "-2node");
        etcd = EtcdServer.launch();
        closers.add(etcd);
        sw = Netns.create("sw");
        closers.add(sw);
        Sh.ip(sw.name(), "link", "add", "br0", "type", "bridge");
        Sh.ip(sw.name(), "link", "set", "br0", "up");
        etcd.etcdctl("put", "/coreos.com/network/config", "{\"Network\":\"10.246.0.0/16\",\"Backend\":{\"Type\":\"vxlan\",\"VNI\":1,\"Port\":8472}}");
        for (int i = 1; i <= 2; i++) nodes.add(node(i));
        for (Node n : nodes) pods(n);
    }

    private Node node(int i) throws Exception {
        Node n = new Node();
        n.ns = Netns.create("n");
        closers.add(n.ns);
        String peer = n.ns.name() + "s";
        Sh.ip(n.ns.name(), "link", "add", "eth0", "type", "veth", "peer", "name", peer, "netns", sw.name());
        Sh.ip(sw.name(), "link", "set", peer, "master", "br0", "up");
        Sh.ip(n.ns.name(), "addr", "add", "192.168.210." + i + "/24", "dev", "eth0");
        Sh.ip(n.ns.name(), "link", "set", "eth0", "up");
        NetNs ns = NetNs.named(n.ns.name());
        n.dp = NodeDataplane.open(ns, NodeDataplane.Config.DEFAULT.withResync(RESYNC).withLinkPrefixes(List.of("flannel.", "flannel0")), 2, 4);
        closers.add(n.dp);
        var store = EtcdDatastore.connect(EtcdConfig.of(List.of(etcd.clientUrl())));
        closers.add(store::close);
        ExecutorScheduler timer = new ExecutorScheduler("bed-overlay-timer");
        closers.add(timer);
        ExecutorService work = Executors.newSingleThreadExecutor();
        closers.add(work::shutdownNow);
        Path nd = Files.createDirectories(dir.resolve("n" + i));
        n.overlay = new OverlayNode(n.dp, store, new OverlayNode.Settings("/coreos.com/network", Optional.empty(), Optional.of("eth0"),
                nd.resolve("subnet.env"), true, true, nd.resolve("overlay.json")), InstantSource.system(), timer, work, OverlayNode.udpTunnels(ns));
        closers.add(n.overlay);
        IpamStores stores = new IpamStores();
        closers.add(stores);
        var sandboxes = new NamespaceSandboxes(n.dp.workers().orElseThrow());
        n.cni = new BridgeCniHandler(n.dp.kernel(), sandboxes, stores, new BridgeNetworks(n.dp, nd.resolve("networks"), false), nd.resolve("ipam"));
        n.routed = new RoutedNetwork(n.dp, sandboxes, 0);
        n.dp.start();
        n.overlay.start();
        if (!n.overlay.isOnline()) throw new IllegalStateException("overlay of node " + i + " did not come up");
        n.lease = n.overlay.lease().orElseThrow().subnet();
        return n;
    }

    private void pods(Node n) throws Exception {
        Path nd = dir.resolve(n.ns.name());
        SubnetEnv env = SubnetEnv.read(dir.resolve("n" + (nodes.indexOf(n) + 1)).resolve("subnet.env"));
        n.bridgePod = Netns.create("p");
        closers.add(n.bridgePod);
        String conf = """
                {"cniVersion":"1.0.0","name":"pods","type":"podnet","bridge":"cni0","isGateway":true,"isDefaultGateway":true,
                 "ipMasq":false,"mtu":%d,"ipam":{"type":"podnet-ipam","dataDir":"%s",
                 "ranges":[[{"subnet":"%s","rangeStart":"%s","rangeEnd":"%s"}]],"routes":[{"dst":"%s"}]}}""".formatted(env.mtu(), nd.resolve("ipam"),
                env.subnet().prefix(), env.subnet().prefix().address().add(2), env.subnet().prefix().address().add(100), env.network());
        CniResponse r = n.cni.handle(request("ADD", "bridge-pod", n.bridgePod, conf));
        String out = new String(r.stdout(), StandardCharsets.UTF_8);
        if (r.exitCode() != 0) throw new IllegalStateException("ADD failed: " + out);
        n.bridgePodIp = io.podnet.cni.result.ResultCodec.decode(new com.fasterxml.jackson.databind.ObjectMapper().readTree(out))
                .ips().getFirst().address().address().toString();

        n.routedPod = Netns.create("r");
        closers.add(n.routedPod);
        n.routedPodIp = n.lease.address().add(200).toString();
        n.routed.attach(routedAttachment(n));
    }

    static Attachment routedAttachment(Node n) {
        return new Attachment(NetNs.named(n.routedPod.name()), "eth0", "routed-pod",
                List.of(new Attachment.IpConfig(Cidr.parse(n.routedPodIp + "/32"), Optional.empty())), List.of(), Optional.empty());
    }

    static io.podnet.cni.CniRequest request(String command, String cid, Netns pod, String conf) throws Exception {
        return io.podnet.agent.cni.BridgeCniHandlerNetnsIT.request(command, cid, pod, conf);
    }

    /** Pings once from {@code from} (deadline 1 s). */
    static boolean ping(Netns from, String to) {
        return from.exec("ping", "-c", "1", "-W", "1", to).ok();
    }

    /** True when node 1's pods reach node 2's bridge and routed pods, and the other way. */
    boolean crossNodeTrafficWorks() {
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        return ping(a.bridgePod, b.bridgePodIp) && ping(a.bridgePod, b.routedPodIp) && ping(b.routedPod, a.bridgePodIp)
                && ping(b.bridgePod, a.routedPodIp);
    }

    @Override
    public void close() {
        for (AutoCloseable c : closers.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("bed cleanup: " + e);
            }
        }
        Daemons.deleteTree(dir);
    }
}
