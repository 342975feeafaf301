package io.podnet.cli.explain;

import io.podnet.datastore.Datastore;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.KeyValue;
import io.podnet.net.IpPrefix;
import io.podnet.overlay.subnet.Backend;
import io.podnet.overlay.subnet.LeaseAttrs;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetLease;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link ControlPlane} from datastore keys: the overlay config ({@code <prefix>/config}), the leases
 * ({@code <prefix>/subnets/<a.b.c.d>-<len>}, flannel's JSON) and Calico-style block affinities
 * ({@code /calico/ipam/v2/host/<node>/ipv4/block/<a.b.c.d>-<len>}, read by key shape only). The same parsing
 * serves a {@link Datastore} and the lab's etcdctl output.
 */
public final class ControlPlaneReader {
    public static final String CALICO_HOSTS = "/calico/ipam/v2/host/";

    private ControlPlaneReader() {}

    /** A key with its value. */
    public record Entry(String key, byte[] value) {}

    public static ControlPlane parse(Optional<String> config, List<Entry> leaseEntries, List<String> blockKeys, Map<String, Boolean> agents) {
        Optional<ControlPlane.OverlayNetwork> overlay = config.filter(c -> !c.isBlank()).map(c -> {
            NetworkConfig n = NetworkConfig.parse(c.strip());
            return switch (n.backend()) {
                case Backend.Vxlan v -> new ControlPlane.OverlayNetwork(n.network(), v.type(), v.effectivePort(), v.vni());
                case Backend.Udp u -> new ControlPlane.OverlayNetwork(n.network(), u.type(), u.effectivePort(), 0);
                case Backend.HostGw h -> new ControlPlane.OverlayNetwork(n.network(), h.type(), 0, 0);
            };
        });
        List<ControlPlane.Lease> leases = new ArrayList<>();
        for (Entry e : leaseEntries) {
            LeaseAttrs a = LeaseAttrs.parse(e.value());
            IpPrefix subnet = SubnetLease.parseKeyName(e.key().substring(e.key().lastIndexOf('/') + 1));
            leases.add(new ControlPlane.Lease(subnet, a.publicIp(), a.backendType().isEmpty() ? "udp" : a.backendType(), a.vtepMac()));
        }
        List<ControlPlane.Block> blocks = new ArrayList<>();
        for (String key : blockKeys) block(key).ifPresent(blocks::add);
        return new ControlPlane(overlay, leases, blocks, List.of(), agents);
    }

    /** {@code /calico/ipam/v2/host/<node>/ipv4/block/10.0.0.0-26} → block 10.0.0.0/26 of node. */
    static Optional<ControlPlane.Block> block(String key) {
        if (!key.startsWith(CALICO_HOSTS)) return Optional.empty();
        String[] parts = key.substring(CALICO_HOSTS.length()).split("/");
        if (parts.length != 4 || !parts[2].equals("block")) return Optional.empty();
        try {
            return Optional.of(new ControlPlane.Block(SubnetLease.parseKeyName(parts[3]), parts[0]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Reads the overlay under {@code prefix} and the Calico block affinities from a datastore. */
    public static ControlPlane read(Datastore store, String prefix, Map<String, Boolean> agents) throws DatastoreException {
        Optional<String> config = store.get(prefix + "/config").map(kv -> new String(kv.value(), StandardCharsets.UTF_8));
        List<Entry> leases = new ArrayList<>();
        for (KeyValue kv : store.snapshot(prefix + "/subnets/", 500).kvs()) leases.add(new Entry(kv.key(), kv.value()));
        List<String> blocks = store.snapshot(CALICO_HOSTS, 500).kvs().stream().map(KeyValue::key).toList();
        return parse(config, leases, blocks, agents);
    }
}
