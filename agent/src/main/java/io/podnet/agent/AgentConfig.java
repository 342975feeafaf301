package io.podnet.agent;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.podnet.datastore.etcd.EtcdClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The agent's configuration file ({@code podnet agent --config agent.yaml}); every field can also be set by a
 * flag. Unknown keys are an error that names them.
 *
 * <pre>
 * nodeName: node-1                 # defaults to the host name
 * stateDir: /var/lib/podnet        # IPAM reservations and other local state
 * cniSocket: /run/podnet/cni.sock  # where the CNI plugin shim connects (mode 0600)
 * etcd:                            # omit for single-host mode (local state only)
 *   endpoints: [http://10.0.0.1:2379]
 *   caFile: ..., certFile: ..., keyFile: ..., username: ..., password: ...
 *   client: http                   # http (etcd's JSON gateway, the default) or grpc (jetcd)
 * overlay:                         # flannel-style overlay (needs etcd)
 *   enabled: true
 *   prefix: /coreos.com/network
 *   publicIp: 192.168.200.1        # this node's underlay address (default: the address of `interface`)
 *   interface: eth0                # the underlay interface
 *   subnetFile: /run/flannel/subnet.env
 *   ipMasq: true                   # masquerade pod traffic leaving the cluster network
 *   udpOffloads: true              # udp backend: TUN offloads (TSO in, GRO out); false = one packet per syscall
 * cnm:                             # Docker remote network + IPAM driver (off unless enabled)
 *   enabled: true
 *   socket: /run/docker/plugins/podnet.sock  # Docker finds the plugin by this name ("podnet")
 *   stateDir: /var/lib/podnet/cnm  # default: &lt;stateDir&gt;/cnm
 *   defaultPools: 10.240.0.0/12    # where pools for `docker network create` without --subnet come from
 *   poolLength: 24                 # prefix length of such a pool
 *   ipMasq: true                   # masquerade traffic leaving a Docker network's pool
 * calicoIpam:                      # podnet-calico-ipam: Calico-style block IPAM in etcd (needs etcd)
 *   enabled: true
 *   prefix: /calico                # datastore key prefix
 *   nodeLabels: {zone: a}          # this node's labels (IPPool nodeSelector)
 *   ipv4Pool: {cidr: 192.168.0.0/16, blockSize: 26, ipip: Never, vxlan: Never, natOutgoing: true, nodeSelector: all()}
 *   ipv6Pool: {cidr: fd00:10::/48}  # default pools, created only if no pool of the family exists
 *   noDefaultPools: false
 *   leakGraceSeconds: 300          # GC releases this node's leaked allocations after this long
 * dataplane:
 *   resyncSeconds: 30              # full re-read and repair of every host table (± 10 % jitter)
 * routed:                          # calico-style routed mode, CNI type podnet-routed (needs calicoIpam)
 *   enabled: true
 *   ip: 192.168.200.1/24           # this node's address (calico-node IP=); default: autodetected
 *   ipAutodetectionMethod: first-found  # or interface=REGEX, skip-interface=REGEX, cidr=CIDR, can-reach=IP
 *   asNumber: 64512                # the AS of nodes whose Node has no spec.bgp.asNumber
 *   listenPort: 179
 *   nodeToNodeMesh: true           # peer with every other node
 *   mtu: 0                         # pod MTU (0 = 1500)
 *   gracefulRestartSeconds: 120    # peers keep our routes this long while the agent restarts
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record AgentConfig(@JsonProperty("nodeName") String nodeName, @JsonProperty("stateDir") Path stateDir,
                          @JsonProperty("cniSocket") Path cniSocket, @JsonProperty("etcd") Etcd etcd,
                          @JsonProperty("overlay") Overlay overlay, @JsonProperty("cnm") Cnm cnm,
                          @JsonProperty("calicoIpam") CalicoIpam calicoIpam,
                          @JsonProperty("dataplane") Dataplane dataplane, @JsonProperty("routed") Routed routed) {

    /**
     * Calico-style routed mode (CNI type {@code podnet-routed}): pods get {@code /32} routes, the node's blocks are
     * announced by the embedded BGP speaker in a node-to-node mesh, learned blocks become routes. Needs calicoIpam.
     */
    public record Routed(@JsonProperty("enabled") boolean enabled, @JsonProperty("ip") String ip,
                         @JsonProperty("ipAutodetectionMethod") String ipAutodetectionMethod,
                         @JsonProperty("asNumber") Long asNumber, @JsonProperty("listenPort") Integer listenPort,
                         @JsonProperty("nodeToNodeMesh") Boolean nodeToNodeMesh, @JsonProperty("mtu") Integer mtu,
                         @JsonProperty("gracefulRestartSeconds") Integer gracefulRestartSeconds) {
        public Routed {
            if (ip != null && ip.isBlank()) ip = null;
            if (ip != null) {
                try {
                    io.podnet.net.Cidr c = io.podnet.net.Cidr.parse(ip.contains("/") ? ip : ip + "/32");
                    if (!c.address().isV4()) throw new IllegalArgumentException("not IPv4");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("routed.ip must be an IPv4 address with its length (10.0.0.5/24): " + ip);
                }
            }
            if (ipAutodetectionMethod == null) ipAutodetectionMethod = "first-found";
            io.podnet.routed.AddressAutodetect.parse("routed.ipAutodetectionMethod", ipAutodetectionMethod);
            if (asNumber == null) asNumber = io.podnet.routed.RoutedNode.DEFAULT_AS;
            if (asNumber < 1 || asNumber > 0xffff_ffffL) throw new IllegalArgumentException("routed.asNumber must be 1..4294967295: " + asNumber);
            if (listenPort == null) listenPort = 179;
            if (listenPort < 1 || listenPort > 65535) throw new IllegalArgumentException("routed.listenPort must be 1..65535: " + listenPort);
            if (nodeToNodeMesh == null) nodeToNodeMesh = true;
            if (mtu == null) mtu = 0;
            if (mtu < 0 || mtu > 65535) throw new IllegalArgumentException("routed.mtu must be 0..65535: " + mtu);
            if (gracefulRestartSeconds == null) gracefulRestartSeconds = 120;
            if (gracefulRestartSeconds < 1 || gracefulRestartSeconds > 4095) {
                throw new IllegalArgumentException("routed.gracefulRestartSeconds must be 1..4095: " + gracefulRestartSeconds);
            }
        }

        public static Routed enabledDefaults() { return new Routed(true, null, null, null, null, null, null, null); }

        /** {@code ip} as a CIDR ({@code /32} when given without length). */
        public java.util.Optional<io.podnet.net.Cidr> cidr() {
            return ip == null ? java.util.Optional.empty() : java.util.Optional.of(io.podnet.net.Cidr.parse(ip.contains("/") ? ip : ip + "/32"));
        }
    }

    /** The node dataplane: how often every table is re-read and repaired (events repair links, addresses and routes at once). */
    public record Dataplane(@JsonProperty("resyncSeconds") Integer resyncSeconds) {
        public Dataplane {
            if (resyncSeconds == null) resyncSeconds = 30;
            if (resyncSeconds < 1) throw new IllegalArgumentException("dataplane.resyncSeconds must be at least 1: " + resyncSeconds);
        }
    }

    /** etcd connection. */
    public record Etcd(@JsonProperty("endpoints") List<URI> endpoints, @JsonProperty("caFile") Path caFile,
                       @JsonProperty("certFile") Path certFile, @JsonProperty("keyFile") Path keyFile,
                       @JsonProperty("username") String username, @JsonProperty("password") String password,
                       @JsonProperty("client") String client) {
        public Etcd {
            if (endpoints == null || endpoints.isEmpty()) throw new IllegalArgumentException("etcd.endpoints must list at least one URL");
            endpoints = List.copyOf(endpoints);
            if (certFile != null && keyFile == null) throw new IllegalArgumentException("etcd.keyFile is missing (etcd.certFile needs its key)");
            if (keyFile != null && certFile == null) throw new IllegalArgumentException("etcd.certFile is missing (etcd.keyFile needs its certificate)");
            if (certFile != null && caFile == null) {
                throw new IllegalArgumentException("etcd.caFile is missing (a client certificate needs the CA that verifies etcd)");
            }
            if (password != null && username == null) throw new IllegalArgumentException("etcd.username is missing (etcd.password needs it)");
            if (client != null) EtcdClient.parse(client); // "etcd.client must be http or grpc ..."
        }

        public Etcd(List<URI> endpoints, Path caFile, Path certFile, Path keyFile, String username, String password) {
            this(endpoints, caFile, certFile, keyFile, username, password, null);
        }

        /** The client to talk to etcd through; default http (the smaller one, bench/README.md "The etcd client"). */
        public EtcdClient etcdClient() { return client == null ? EtcdClient.HTTP : EtcdClient.parse(client); }

        public Etcd withClient(String c) { return new Etcd(endpoints, caFile, certFile, keyFile, username, password, c); }

        /** The same TLS and auth settings with other endpoints (what {@code --etcd-endpoints} changes). */
        public Etcd withEndpoints(List<URI> e) { return new Etcd(e, caFile, certFile, keyFile, username, password, client); }
    }

    /** Flannel-style overlay mode. */
    public record Overlay(@JsonProperty("enabled") boolean enabled, @JsonProperty("prefix") String prefix,
                          @JsonProperty("publicIp") String publicIp, @JsonProperty("interface") String iface,
                          @JsonProperty("subnetFile") Path subnetFile, @JsonProperty("ipMasq") Boolean ipMasq,
                          @JsonProperty("udpOffloads") Boolean udpOffloads) {
        public Overlay {
            if (udpOffloads == null) udpOffloads = true;
            if (prefix == null) prefix = "/coreos.com/network";
            if (subnetFile == null) subnetFile = Path.of("/run/flannel/subnet.env");
            if (ipMasq == null) ipMasq = true;
        }
    }

    /** Docker CNM driver (network + IPAM) served over a unix socket under /run/docker/plugins. */
    public record Cnm(@JsonProperty("enabled") boolean enabled, @JsonProperty("socket") Path socket,
                      @JsonProperty("stateDir") Path stateDir, @JsonProperty("defaultPools") String defaultPools,
                      @JsonProperty("poolLength") Integer poolLength, @JsonProperty("ipMasq") Boolean ipMasq) {
        public Cnm {
            if (socket == null) socket = Path.of("/run/docker/plugins/podnet.sock");
            if (defaultPools == null) defaultPools = "10.240.0.0/12";
            if (poolLength == null) poolLength = 24;
            if (ipMasq == null) ipMasq = true;
        }
    }

    /**
     * Calico-style cluster IPAM ({@code podnet-calico-ipam}). Pool fields left out fall back to calico-node's
     * environment variables ({@code CALICO_IPV4POOL_CIDR}, {@code _BLOCK_SIZE}, {@code _IPIP}, {@code _VXLAN},
     * {@code _NAT_OUTGOING}, {@code _NODE_SELECTOR}, the {@code CALICO_IPV6POOL_*} ones, {@code NO_DEFAULT_POOLS}),
     * then to calico-node's defaults.
     */
    public record CalicoIpam(@JsonProperty("enabled") boolean enabled, @JsonProperty("prefix") String prefix,
                             @JsonProperty("nodeLabels") java.util.Map<String, String> nodeLabels,
                             @JsonProperty("ipv4Pool") Pool ipv4Pool, @JsonProperty("ipv6Pool") Pool ipv6Pool,
                             @JsonProperty("noDefaultPools") Boolean noDefaultPools,
                             @JsonProperty("leakGraceSeconds") Integer leakGraceSeconds) {
        public CalicoIpam {
            if (prefix == null) prefix = "/calico";
            nodeLabels = nodeLabels == null ? java.util.Map.of() : java.util.Map.copyOf(nodeLabels);
            if (leakGraceSeconds == null) leakGraceSeconds = 300;
            if (leakGraceSeconds < 1) throw new IllegalArgumentException("calicoIpam.leakGraceSeconds must be at least 1");
        }

        /** The pool settings under calico-node's variable names: {@code env} overlaid by these fields. */
        public java.util.Map<String, String> poolSettings(java.util.Map<String, String> env) {
            java.util.Map<String, String> out = new java.util.HashMap<>();
            env.forEach((k, v) -> {
                if (k.startsWith("CALICO_IPV4POOL_") || k.startsWith("CALICO_IPV6POOL_") || k.equals("NO_DEFAULT_POOLS")) out.put(k, v);
            });
            if (ipv4Pool != null) ipv4Pool.into("CALICO_IPV4POOL_", out);
            if (ipv6Pool != null) ipv6Pool.into("CALICO_IPV6POOL_", out);
            if (noDefaultPools != null) out.put("NO_DEFAULT_POOLS", noDefaultPools.toString());
            return out;
        }
    }

    /** A default pool's fields (calico-node's {@code CALICO_IPV4POOL_*}). */
    public record Pool(@JsonProperty("cidr") String cidr, @JsonProperty("blockSize") Integer blockSize,
                       @JsonProperty("ipip") String ipip, @JsonProperty("vxlan") String vxlan,
                       @JsonProperty("natOutgoing") Boolean natOutgoing, @JsonProperty("nodeSelector") String nodeSelector) {
        void into(String p, java.util.Map<String, String> m) {
            if (cidr != null) m.put(p + "CIDR", cidr);
            if (blockSize != null) m.put(p + "BLOCK_SIZE", blockSize.toString());
            if (ipip != null) m.put(p + "IPIP", ipip);
            if (vxlan != null) m.put(p + "VXLAN", vxlan);
            if (natOutgoing != null) m.put(p + "NAT_OUTGOING", natOutgoing.toString());
            if (nodeSelector != null) m.put(p + "NODE_SELECTOR", nodeSelector);
        }
    }

    public AgentConfig {
        if (nodeName == null || nodeName.isBlank()) nodeName = hostName();
        if (stateDir == null) stateDir = Path.of("/var/lib/podnet");
        if (cniSocket == null) cniSocket = Path.of("/run/podnet/cni.sock");
        if (dataplane == null) dataplane = new Dataplane(null);
        if (overlay != null && overlay.enabled() && etcd == null) {
            throw new IllegalArgumentException("overlay.enabled needs etcd.endpoints (leases live in etcd)");
        }
        if (routed != null && routed.enabled() && !(calicoIpam != null && calicoIpam.enabled())) {
            throw new IllegalArgumentException("routed.enabled needs calicoIpam.enabled (the node announces its IPAM blocks)");
        }
        if (calicoIpam != null && calicoIpam.enabled() && etcd == null) {
            throw new IllegalArgumentException("calicoIpam.enabled needs etcd.endpoints (pools and blocks live in etcd)");
        }
    }

    public static AgentConfig defaults() {
        return new AgentConfig(null, null, null, null, null, null, null, null, null);
    }

    public static AgentConfig load(Path file) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        try {
            AgentConfig c = yaml.readValue(Files.readString(file), AgentConfig.class);
            return c == null ? defaults() : c;
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new IOException(file + ": unknown field \"" + e.getPropertyName() + "\"", e);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            throw new IOException(file + ": " + (e.getCause() instanceof IllegalArgumentException iae ? iae.getMessage() : e.getOriginalMessage()), e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": " + e.getOriginalMessage(), e);
        }
    }

    public AgentConfig withCnm(Cnm c) { return new AgentConfig(nodeName, stateDir, cniSocket, etcd, overlay, c, calicoIpam, dataplane, routed); }

    public AgentConfig withDataplane(Dataplane d) { return new AgentConfig(nodeName, stateDir, cniSocket, etcd, overlay, cnm, calicoIpam, d, routed); }

    public boolean cnmEnabled() { return cnm != null && cnm.enabled(); }

    public boolean overlayEnabled() { return overlay != null && overlay.enabled(); }

    public boolean routedEnabled() { return routed != null && routed.enabled(); }

    public AgentConfig withRouted(Routed r) { return new AgentConfig(nodeName, stateDir, cniSocket, etcd, overlay, cnm, calicoIpam, dataplane, r); }

    public boolean calicoIpamEnabled() { return calicoIpam != null && calicoIpam.enabled(); }

    public AgentConfig withCalicoIpam(CalicoIpam c) { return new AgentConfig(nodeName, stateDir, cniSocket, etcd, overlay, cnm, c, dataplane, routed); }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    public AgentConfig withNodeName(String n) { return new AgentConfig(n, stateDir, cniSocket, etcd, overlay, cnm, calicoIpam, dataplane, routed); }

    public AgentConfig withStateDir(Path p) { return new AgentConfig(nodeName, p, cniSocket, etcd, overlay, cnm, calicoIpam, dataplane, routed); }

    public AgentConfig withCniSocket(Path p) { return new AgentConfig(nodeName, stateDir, p, etcd, overlay, cnm, calicoIpam, dataplane, routed); }

    public AgentConfig withEtcd(Etcd e) { return new AgentConfig(nodeName, stateDir, cniSocket, e, overlay, cnm, calicoIpam, dataplane, routed); }

    /** Other etcd endpoints; the TLS and auth settings of {@code etcd} (if any) stay. */
    public AgentConfig withEtcdEndpoints(List<URI> endpoints) {
        return withEtcd(etcd == null ? new Etcd(endpoints, null, null, null, null, null) : etcd.withEndpoints(endpoints));
    }

    public AgentConfig withOverlay(Overlay o) { return new AgentConfig(nodeName, stateDir, cniSocket, etcd, o, cnm, calicoIpam, dataplane, routed); }
}
