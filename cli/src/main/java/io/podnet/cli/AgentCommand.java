package io.podnet.cli;

import io.podnet.agent.Agent;
import io.podnet.agent.AgentConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code podnet agent}: the node agent daemon. A flag overrides only the config-file field it names. */
@Command(name = "agent", description = "Run the node agent (CNI server, IPAM, bridge networks, overlay mode).")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--config", description = "Agent config file (YAML; every field: README section \"podnet agent\").")
    Path config;
    @Option(names = "--node-name", description = "This node's name (default: host name).")
    String nodeName;
    @Option(names = "--state-dir", description = "Local state directory (default /var/lib/podnet).")
    Path stateDir;
    @Option(names = "--cni-socket", description = "Unix socket the CNI plugin connects to (default /run/podnet/cni.sock).")
    Path cniSocket;
    @Option(names = "--etcd-endpoints", split = ",", description = "etcd client URLs, comma separated.")
    List<URI> etcd;
    @Option(names = "--etcd-client", description = "How to talk to etcd: http (its v3 JSON gateway, default) or grpc (jetcd).")
    String etcdClient;
    @Option(names = "--overlay", description = "Enable the flannel-style overlay (needs --etcd-endpoints).")
    boolean overlay;
    @Option(names = "--public-ip", description = "Overlay: this node's underlay address.")
    String publicIp;
    @Option(names = "--iface", description = "Overlay: the underlay interface.")
    String iface;
    @Option(names = "--subnet-file", description = "Overlay: where to write subnet.env (default /run/flannel/subnet.env).")
    Path subnetFile;
    @Option(names = "--etcd-prefix", description = "Overlay: etcd prefix (default /coreos.com/network).")
    String prefix;

    @Option(names = "--calico-ipam", description = "Serve podnet-calico-ipam: Calico-style block IPAM in etcd (needs --etcd-endpoints; "
            + "default pools from calicoIpam in the config or CALICO_IPV4POOL_* / CALICO_IPV6POOL_*).")
    boolean calicoIpam;

    @Option(names = "--routed", description = "Calico-style routed mode: serve CNI type podnet-routed, run the BGP speaker in a "
            + "node-to-node mesh (implies --calico-ipam; settings: routed in the config).")
    boolean routed;
    @Option(names = "--ip", description = "Routed mode: this node's IPv4 address with length (calico-node IP=); default: autodetected.")
    String ip;
    @Option(names = "--ip-autodetection-method", description = "Routed mode: first-found (default), interface=REGEX, "
            + "skip-interface=REGEX, cidr=CIDR or can-reach=IP (calico-node IP_AUTODETECTION_METHOD).")
    String ipAutodetectionMethod;

    @Option(names = "--docker", description = "Serve the Docker network + IPAM driver (CNM) on --docker-socket.")
    boolean docker;
    @Option(names = "--docker-socket", description = "Docker plugin socket (default /run/docker/plugins/podnet.sock; the file name is the driver name).")
    Path dockerSocket;

    /** The config file (or the defaults) with each given flag replacing exactly the field it names. */
    AgentConfig effectiveConfig() throws IOException {
        AgentConfig c = config != null ? AgentConfig.load(config) : AgentConfig.defaults();
        if (nodeName != null) c = c.withNodeName(nodeName);
        if (stateDir != null) c = c.withStateDir(stateDir);
        if (cniSocket != null) c = c.withCniSocket(cniSocket);
        if (etcd != null) c = c.withEtcdEndpoints(etcd); // keeps the file's TLS and auth settings
        if (etcdClient != null) {
            if (c.etcd() == null) throw new IllegalArgumentException("--etcd-client needs etcd (--etcd-endpoints or etcd.endpoints)");
            c = c.withEtcd(c.etcd().withClient(etcdClient));
        }
        if (overlay || publicIp != null || iface != null || subnetFile != null || prefix != null) {
            AgentConfig.Overlay o = c.overlay();
            c = c.withOverlay(new AgentConfig.Overlay(overlay || (o != null && o.enabled()),
                    prefix != null ? prefix : o == null ? null : o.prefix(),
                    publicIp != null ? publicIp : o == null ? null : o.publicIp(),
                    iface != null ? iface : o == null ? null : o.iface(),
                    subnetFile != null ? subnetFile : o == null ? null : o.subnetFile(),
                    o == null ? null : o.ipMasq(), o == null ? null : o.udpOffloads()));
        }
        if (docker || dockerSocket != null) {
            AgentConfig.Cnm d = c.cnm();
            c = c.withCnm(new AgentConfig.Cnm(true, dockerSocket != null ? dockerSocket : d == null ? null : d.socket(),
                    d == null ? null : d.stateDir(), d == null ? null : d.defaultPools(),
                    d == null ? null : d.poolLength(), d == null ? null : d.ipMasq()));
        }
        if ((calicoIpam || routed) && !c.calicoIpamEnabled()) {
            AgentConfig.CalicoIpam k = c.calicoIpam();
            c = c.withCalicoIpam(k == null ? new AgentConfig.CalicoIpam(true, null, null, null, null, null, null)
                    : new AgentConfig.CalicoIpam(true, k.prefix(), k.nodeLabels(), k.ipv4Pool(), k.ipv6Pool(), k.noDefaultPools(), k.leakGraceSeconds()));
        }
        if (routed || ip != null || ipAutodetectionMethod != null) {
            AgentConfig.Routed r = c.routed();
            c = c.withRouted(new AgentConfig.Routed(routed || (r != null && r.enabled()), ip != null ? ip : r == null ? null : r.ip(),
                    ipAutodetectionMethod != null ? ipAutodetectionMethod : r == null ? null : r.ipAutodetectionMethod(),
                    r == null ? null : r.asNumber(), r == null ? null : r.listenPort(), r == null ? null : r.nodeToNodeMesh(),
                    r == null ? null : r.mtu(), r == null ? null : r.gracefulRestartSeconds()));
        }
        return c;
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig c = effectiveConfig();
        // The hook itself closes the agent: the JVM halts as soon as its hooks return, so a close left to the main
        // thread after a SIGTERM would be cut short (the sockets would stay behind). It is registered before the
        // start, so a SIGTERM during start-up waits for the start and then closes what it made.
        CompletableFuture<Agent> started = new CompletableFuture<>();
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.join().close();
            } catch (CompletionException e) {
                // the start failed: it closed what it had made
            } catch (RuntimeException e) {
                System.err.println("podnet agent: error while stopping: " + e);
            } finally {
                closed.countDown();
            }
        }, "podnet-agent-stop"));
        try {
            started.complete(Agent.start(c));
        } catch (IOException | RuntimeException e) {
            started.completeExceptionally(e);
            throw e;
        }
        System.err.println("podnet agent " + c.nodeName() + " ready (CNI socket " + c.cniSocket() + ")");
        closed.await();
        return 0;
    }
}
