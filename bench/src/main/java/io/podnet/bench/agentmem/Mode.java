package io.podnet.bench.agentmem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One way a node runs the agent, as {@code bin/podnet agent} is started for it: which flags, whether it needs
 * etcd (and which overlay backend goes into the network config), and which CNI config its pods use.
 */
enum Mode {
    /** Single host: CNI server, bridge networks, local IPAM; no etcd. */
    SINGLE("single", false, null, false),
    /** The flannel-style overlay with the vxlan backend (etcd lease, vxlan device, lease watch). */
    VXLAN("vxlan", true, "{\"Type\":\"vxlan\",\"VNI\":1,\"Port\":8472}", false),
    /** The overlay with the udp backend (TUN device and the userspace tunnel threads). */
    UDP("udp", true, "{\"Type\":\"udp\",\"Port\":8285}", false),
    /** Single host plus the Docker CNM driver (Jetty on a unix socket). */
    DOCKER("docker", false, null, true),
    /** The calico-style routed mode with BGP: not in the agent yet (a slot, so the table has its row). */
    CALICO_BGP("calico-bgp", true, null, false);

    /** The underlay address the overlay modes give the node's {@code eth0} (one end of a veth pair). */
    static final String PUBLIC_IP = "10.99.0.1";

    final String label;
    final boolean etcd;
    final String backend;
    final boolean docker;

    Mode(String label, boolean etcd, String backend, boolean docker) {
        this.label = label;
        this.etcd = etcd;
        this.backend = backend;
        this.docker = docker;
    }

    static Mode parse(String s) {
        for (Mode m : values()) {
            if (m.label.equals(s)) return m;
        }
        throw new IllegalArgumentException("mode must be one of single, vxlan, udp, docker, calico-bgp; got " + s);
    }

    boolean overlay() { return backend != null; }

    /** Why this mode cannot be measured yet, if so. */
    Optional<String> unavailable() {
        return this == CALICO_BGP ? Optional.of("the agent has no routed (calico) mode yet") : Optional.empty();
    }

    /** The arguments after {@code podnet agent}. */
    List<String> agentArgs(Path dir, String etcdUrl) {
        List<String> a = new ArrayList<>(List.of("--node-name", "bench", "--state-dir", dir.resolve("state").toString(),
                "--cni-socket", dir.resolve("cni.sock").toString()));
        if (etcd) a.addAll(List.of("--etcd-endpoints", etcdUrl));
        if (overlay()) {
            a.addAll(List.of("--overlay", "--iface", "eth0", "--public-ip", PUBLIC_IP,
                    "--subnet-file", dir.resolve("subnet.env").toString()));
        }
        if (docker) a.addAll(List.of("--docker", "--docker-socket", dockerSocket(dir).toString()));
        return a;
    }

    static Path dockerSocket(Path dir) { return dir.resolve("plugins").resolve("podnet.sock"); }

    /** The CNI network config its pods are added with: the lab's podnet-flannel for the overlay, else a bridge. */
    String cniConfig(Path dir) {
        if (overlay()) {
            return """
                    {"cniVersion":"1.0.0","name":"bench","type":"podnet-flannel","subnetFile":"%s","dataDir":"%s"}"""
                    .formatted(dir.resolve("subnet.env"), dir.resolve("flannel-cni"));
        }
        return """
                {"cniVersion":"1.0.0","name":"bench","type":"podnet","bridge":"cni0","isGateway":true,"ipMasq":true,
                 "ipam":{"type":"podnet-ipam","ranges":[[{"subnet":"10.90.0.0/16"}]],"dataDir":"%s"}}"""
                .formatted(dir.resolve("ipam"));
    }
}
