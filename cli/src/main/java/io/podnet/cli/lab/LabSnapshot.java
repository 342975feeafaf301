package io.podnet.cli.lab;

import io.podnet.cli.explain.Cluster;
import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.KernelReader;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.net.IpPrefix;
import io.podnet.overlay.subnet.LeaseAttrs;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetLease;
import io.podnet.rtnetlink.NetNs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a running lab for explain: every namespace it made (switch, nodes, pods; named by the lab's short
 * names), the overlay config and leases from its etcd, Calico-style IPAM block affinities when
 * {@code /calico/ipam/v2/host/...} keys exist, and whether each node's agent process runs.
 */
public final class LabSnapshot {
    private LabSnapshot() {}

    public static Cluster read(Lab lab) throws IOException {
        LabState s = lab.state();
        String prefix = s.prefix + "-";
        java.util.function.Function<String, String> rename = real -> real.startsWith(prefix) ? real.substring(prefix.length()) : real;
        List<NsSnapshot> all = new ArrayList<>();
        all.add(KernelReader.read("sw", NsSnapshot.Role.UNDERLAY, "", NetNs.named(prefix + "sw"), rename));
        Map<String, Boolean> agents = new HashMap<>();
        for (LabState.Node n : s.nodes) {
            all.add(KernelReader.read(n.name, NsSnapshot.Role.NODE, n.name, NetNs.named(n.ns), rename));
            for (LabState.Pod p : n.pods) all.add(KernelReader.read(p.name, NsSnapshot.Role.POD, n.name, NetNs.named(p.ns), rename));
            agents.put(n.name, n.agentPid > 0 && ProcessHandle.of(n.agentPid).map(ProcessHandle::isAlive).orElse(false));
        }
        return new Cluster(all, control(lab, agents), Optional.of(s.name));
    }

    static ControlPlane control(Lab lab, Map<String, Boolean> agents) throws IOException {
        Optional<ControlPlane.OverlayNetwork> overlay = Optional.empty();
        List<ControlPlane.Lease> leases = new ArrayList<>();
        List<ControlPlane.Block> blocks = new ArrayList<>();
        Lab.Result cfg = lab.etcdctl("get", "/coreos.com/network/config", "--print-value-only");
        if (cfg.ok() && !cfg.out().isBlank()) {
            NetworkConfig c = NetworkConfig.parse(cfg.out().strip());
            overlay = Optional.of(new ControlPlane.OverlayNetwork(c.network(), c.backend().type(), c.backend().effectivePort(), c.backend().vni()));
            Lab.Result r = lab.etcdctl("get", "/coreos.com/network/subnets/", "--prefix");
            String[] lines = r.ok() ? r.out().split("\n") : new String[0];
            for (int i = 0; i + 1 < lines.length; i += 2) {
                String key = lines[i].strip();
                LeaseAttrs a = LeaseAttrs.parse(lines[i + 1].getBytes(StandardCharsets.UTF_8));
                IpPrefix subnet = SubnetLease.parseKeyName(key.substring(key.lastIndexOf('/') + 1));
                leases.add(new ControlPlane.Lease(subnet, a.publicIp(), a.backendType().isEmpty() ? "udp" : a.backendType(), a.vtepMac()));
            }
        }
        Lab.Result b = lab.etcdctl("get", "/calico/ipam/v2/host/", "--prefix", "--keys-only");
        if (b.ok()) {
            for (String key : b.out().split("\n")) {
                String[] parts = key.strip().split("/");
                // /calico/ipam/v2/host/<node>/ipv4/block/10.0.0.0-26
                if (parts.length == 9 && parts[7].equals("block")) {
                    blocks.add(new ControlPlane.Block(SubnetLease.parseKeyName(parts[8]), parts[5]));
                }
            }
        }
        return new ControlPlane(overlay, leases, blocks, List.of(), agents);
    }
}
