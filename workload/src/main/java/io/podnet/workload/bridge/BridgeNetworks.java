package io.podnet.workload.bridge;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.net.Cidr;
import io.podnet.net.IpPrefix;
import io.podnet.net.fs.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The node's CNI bridge networks, by network name, each with its {@link NodeBridge} (desired node state) and a
 * record in {@code <stateDir>/<name>.json}: the bridge config, whether podnet made the bridge, the gateways and
 * subnets seen, and where the network's IPAM reservations live. The record is written (atomically, durably)
 * before the first ADD's veth exists, so after an agent restart {@link #restore} can rebuild every network's
 * state, and its ports from the reservations, before the dataplane's first pass: a restart removes nothing that
 * should stay (a network with no reservations left is retired: its bridge is deleted if podnet made it).
 * Thread-safe.
 */
public final class BridgeNetworks {
    private static final System.Logger LOG = System.getLogger(BridgeNetworks.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What is persisted of one network. */
    public record Record(String name, String bridge, int mtu, boolean isGateway, boolean isDefaultGateway, boolean hairpin,
                         boolean ipMasq, boolean ownsBridge, List<String> gateways, List<String> subnets, String ipamDir) {
        public Record {
            gateways = gateways == null ? List.of() : List.copyOf(gateways);
            subnets = subnets == null ? List.of() : List.copyOf(subnets);
        }

        public BridgeConfig config() { return new BridgeConfig(bridge, mtu, isGateway, isDefaultGateway, hairpin, ipMasq); }

        List<Cidr> gatewayCidrs() { return gateways.stream().map(Cidr::parse).toList(); }

        List<IpPrefix> subnetPrefixes() { return subnets.stream().map(IpPrefix::parse).toList(); }
    }

    /** An endpoint of a network as IPAM remembers it (its reservation's owner). */
    public record Endpoint(String containerId, String ifname) {}

    private final NodeDataplane dp;
    private final Path dir;
    private final boolean durable;
    private final Map<String, Entry> networks = new ConcurrentHashMap<>();

    private static final class Entry {
        final NodeBridge node;
        Record record;

        Entry(NodeBridge node, Record record) {
            this.node = node;
            this.record = record;
        }
    }

    public BridgeNetworks(NodeDataplane dp, Path dir, boolean durable) {
        this.dp = dp;
        this.dir = dir;
        this.durable = durable;
    }

    /**
     * The network's node side for an ADD with these gateways and subnets, its record written first if it is new
     * or learnt something; the caller then {@linkplain NodeBridge#join joins} it.
     */
    public NodeBridge prepare(String name, BridgeConfig config, List<Cidr> gateways, List<IpPrefix> subnets, Path ipamDir) throws IOException {
        Entry e = networks.get(name);
        if (e != null && !e.node.config().equals(config)) {
            LOG.log(System.Logger.Level.WARNING, "network {0}: its config changed from {1} to {2}; the node follows the new one", name,
                    e.node.config(), config);
            e.node.leave();
            networks.remove(name, e);
            e = null;
        }
        if (e == null) {
            boolean owns = !bridgeExistsOutsidePodnet(config.bridge());
            Record r = new Record(name, config.bridge(), config.mtu(), config.isGateway(), config.isDefaultGateway(), config.hairpin(),
                    config.ipMasq(), owns, List.of(), List.of(), ipamDir.toString());
            Entry fresh = new Entry(new NodeBridge(name, config, owns, dp), r);
            Entry raced = networks.putIfAbsent(name, fresh);
            e = raced != null ? raced : fresh;
        }
        synchronized (e) {
            Record r = e.record;
            LinkedHashSet<String> gws = new LinkedHashSet<>(r.gateways());
            gateways.forEach(g -> gws.add(g.toString()));
            LinkedHashSet<String> nets = new LinkedHashSet<>(r.subnets());
            subnets.forEach(s -> nets.add(s.toString()));
            Record next = new Record(r.name(), r.bridge(), r.mtu(), r.isGateway(), r.isDefaultGateway(), r.hairpin(), r.ipMasq(),
                    r.ownsBridge(), List.copyOf(gws), List.copyOf(nets), ipamDir.toString());
            if (!next.equals(r) || !Files.exists(file(name))) {
                AtomicFile.write(file(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(next), durable);
                e.record = next;
            }
        }
        return e.node;
    }

    /** The network's node side, if it is known. */
    public Optional<NodeBridge> network(String name) {
        return Optional.ofNullable(networks.get(name)).map(e -> e.node);
    }

    /**
     * After a DEL: if the network has no endpoints left ({@code remaining} is asked under the network's lock, so an
     * ADD reserving meanwhile keeps it), its node state is withdrawn and its record deleted.
     */
    public void released(String name, java.util.function.IntSupplier remaining) throws IOException {
        Entry e = networks.get(name);
        if (e == null) return;
        synchronized (e) {
            if (remaining.getAsInt() > 0) return;
            e.node.leave();
            networks.remove(name, e);
            AtomicFile.delete(file(name), durable);
        }
    }

    /**
     * At agent start, before the dataplane's first pass: every recorded network with endpoints (as
     * {@code endpoints} reads them from its IPAM directory) gets its node state and ports back; a network without
     * endpoints is retired (its bridge deleted by the loop if podnet made it) and its record removed.
     */
    public void restore(Function<Record, List<Endpoint>> endpoints) throws IOException {
        if (!Files.isDirectory(dir)) return;
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".json") && !p.getFileName().toString().startsWith(".")).sorted().forEach(files::add);
        }
        for (Path f : files) {
            Record r;
            try {
                r = JSON.readValue(Files.readAllBytes(f), Record.class);
            } catch (IOException | RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "cannot read network record " + f + " (" + ex.getMessage() + "); skipped");
                continue;
            }
            List<Endpoint> eps = endpoints.apply(r);
            NodeBridge node = new NodeBridge(r.name(), r.config(), r.ownsBridge(), dp);
            if (eps.isEmpty()) {
                if (r.ownsBridge()) NodeBridge.retire(dp, r.name(), r.bridge());
                AtomicFile.delete(f, durable);
                LOG.log(System.Logger.Level.INFO, "network {0} has no endpoints left; retired", r.name());
                continue;
            }
            node.restore(r.gatewayCidrs(), r.subnetPrefixes());
            for (Endpoint ep : eps) node.restorePort(Attachment.hostVethName(ep.containerId(), ep.ifname()));
            networks.put(r.name(), new Entry(node, r));
            LOG.log(System.Logger.Level.INFO, "network {0}: bridge {1}, {2} endpoint(s) restored", r.name(), r.bridge(), eps.size());
        }
    }

    /** The records of the networks known now. */
    public List<Record> records() {
        return networks.values().stream().map(e -> e.record).toList();
    }

    private boolean bridgeExistsOutsidePodnet(String bridge) throws IOException {
        if (networks.values().stream().anyMatch(e -> e.node.config().bridge().equals(bridge) && e.node.ownsBridge())) return false;
        if (dp.links().desiredLink(bridge).isPresent()) return false;
        return dp.kernel().getLink(bridge).isPresent();
    }

    private Path file(String name) {
        return dir.resolve(name + ".json");
    }
}
