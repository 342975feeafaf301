package io.podnet.cli.lab;

import io.podnet.cli.explain.Cluster;
import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.ControlPlaneReader;
import io.podnet.cli.explain.KernelReader;
import io.podnet.cli.explain.NsSnapshot;
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
        Lab.Result cfg = lab.etcdctl("get", "/coreos.com/network/config", "--print-value-only");
        List<ControlPlaneReader.Entry> leases = new ArrayList<>();
        Lab.Result r = lab.etcdctl("get", "/coreos.com/network/subnets/", "--prefix");
        String[] lines = r.ok() ? r.out().split("\n") : new String[0];
        for (int i = 0; i + 1 < lines.length; i += 2) leases.add(new ControlPlaneReader.Entry(lines[i].strip(), lines[i + 1].getBytes(StandardCharsets.UTF_8)));
        Lab.Result b = lab.etcdctl("get", ControlPlaneReader.CALICO_HOSTS, "--prefix", "--keys-only");
        List<String> blocks = b.ok() ? List.of(b.out().split("\n")).stream().map(String::strip).filter(k -> !k.isEmpty()).toList() : List.of();
        return ControlPlaneReader.parse(cfg.ok() ? Optional.of(cfg.out()) : Optional.empty(), leases, blocks, agents);
    }
}
