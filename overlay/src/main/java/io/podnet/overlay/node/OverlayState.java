package io.podnet.overlay.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.net.fs.AtomicFile;
import io.podnet.overlay.subnet.LeaseAttrs;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetLease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What the overlay last programmed, persisted (atomically, durably) so a restarted agent rebuilds the whole desired
 * state — device with its VTEP MAC, lease address, masquerade, every remote node's neighbour, FDB entry and route —
 * before the dataplane's first pass and before etcd answers: a restart, or an etcd outage during one, removes
 * nothing. Fields are flannel's texts (the network config JSON, the leases' JSON values).
 */
record OverlayState(String config, String underlay, String underlayAddress, String lease, String attrs, List<Remote> remotes) {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** One remote node's lease: its subnet and flannel's JSON value. */
    record Remote(String subnet, String attrs) {}

    OverlayState {
        remotes = remotes == null ? List.of() : List.copyOf(remotes);
    }

    static OverlayState of(NetworkConfig cfg, String underlay, Cidr underlayAddress, SubnetLease mine, Collection<SubnetLease> all) {
        List<Remote> r = new ArrayList<>();
        for (SubnetLease l : all) {
            if (!l.subnet().equals(mine.subnet())) r.add(new Remote(l.subnet().toString(), new String(l.attrs().toJson(), java.nio.charset.StandardCharsets.UTF_8)));
        }
        r.sort(java.util.Comparator.comparing(Remote::subnet));
        return new OverlayState(cfg.toJson(), underlay, underlayAddress.toString(), mine.subnet().toString(),
                new String(mine.attrs().toJson(), java.nio.charset.StandardCharsets.UTF_8), r);
    }

    NetworkConfig networkConfig() { return NetworkConfig.parse(config); }

    Cidr underlayCidr() { return Cidr.parse(underlayAddress); }

    SubnetLease myLease() {
        return new SubnetLease(IpPrefix.parse(lease), LeaseAttrs.parse(attrs.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 0);
    }

    List<SubnetLease> remoteLeases() {
        return remotes.stream().map(x -> new SubnetLease(IpPrefix.parse(x.subnet()),
                LeaseAttrs.parse(x.attrs().getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 0)).toList();
    }

    Optional<MacAddress> vtepMac() { return myLease().attrs().vtepMac(); }

    IpAddress publicIp() { return myLease().attrs().publicIp(); }

    void write(Path file) throws IOException {
        AtomicFile.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }

    /** The persisted state, if the file exists and parses (a broken file is reported and ignored). */
    static Optional<OverlayState> read(Path file) {
        if (!Files.exists(file)) return Optional.empty();
        try {
            OverlayState s = JSON.readValue(Files.readAllBytes(file), OverlayState.class);
            s.networkConfig();
            s.myLease();
            return Optional.of(s);
        } catch (IOException | RuntimeException e) {
            System.getLogger(OverlayState.class.getName()).log(System.Logger.Level.WARNING,
                    "ignoring unreadable overlay state " + file + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
