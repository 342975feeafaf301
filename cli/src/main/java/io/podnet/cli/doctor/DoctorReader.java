package io.podnet.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.ControlPlaneReader;
import io.podnet.cli.explain.NodeView;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.KeyValue;
import io.podnet.net.IpAddress;
import io.podnet.overlay.subnet.SubnetEnv;
import io.podnet.rtnetlink.NetNs;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Reads the {@link NodeFacts} of one node: its namespace and peers ({@link NodeView}), the files doctor
 * checks, the neighbour table's size ({@code /proc/net/stat/arp_cache} counts the whole kernel's table) and
 * {@code gc_thresh3}, and with a datastore the control plane, the registered Calico nodes and one ping per
 * remote lease's PublicIP (from the node's namespace, 16 at a time, 1 s each).
 */
public final class DoctorReader {
    public static final String CALICO_NODES = "/calico/resources/v3/projectcalico.org/nodes/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DoctorReader() {}

    /** Where to look: the node namespace and name, the files, the underlay interface, the datastore (or none) and its prefix. */
    public record Where(NetNs node, String nodeName, Path subnetFile, Path cniConfDir, Path cniSocket, Optional<String> iface,
                        Optional<Connect> datastore, String prefix, boolean probe) {}

    /** Opens the datastore (connection errors become a finding, not a crash). */
    public interface Connect {
        Datastore open() throws Exception;
    }

    public static NodeFacts read(Where w) throws IOException {
        List<NsSnapshot> ns = NodeView.read(w.node(), w.nodeName(), List.of());
        NodeFacts.Kernel kernel = new NodeFacts.Kernel(ns.getFirst(), ns.subList(1, ns.size()), w.iface(), arpEntries(), gcThresh3());
        NodeFacts.Files files = new NodeFacts.Files(subnetFile(w.subnetFile()), w.cniConfDir(), confs(w.cniConfDir()), w.cniSocket(), socket(w.cniSocket()));
        NodeFacts partial = new NodeFacts(kernel, files, NodeFacts.Datastore.NONE);
        return new NodeFacts(kernel, files, datastore(w, partial));
    }

    static NodeFacts.SubnetFile subnetFile(Path p) {
        if (!Files.exists(p)) return new NodeFacts.SubnetFile.Missing(p);
        try {
            return new NodeFacts.SubnetFile.Present(p, SubnetEnv.read(p));
        } catch (IOException | RuntimeException e) {
            return new NodeFacts.SubnetFile.Invalid(p, e.getMessage());
        }
    }

    static List<NodeFacts.ConfFile> confs(Path dir) throws IOException {
        List<NodeFacts.ConfFile> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                try {
                    JsonNode j = JSON.readTree(p.toFile());
                    out.add(new NodeFacts.ConfFile(p.getFileName().toString(), j == null || !j.isObject() ? Optional.empty() : Optional.of(j),
                            j == null || !j.isObject() ? "not a JSON object" : ""));
                } catch (IOException e) {
                    out.add(new NodeFacts.ConfFile(p.getFileName().toString(), Optional.empty(), e.getMessage().split("\n")[0]));
                }
            }
        }
        return out;
    }

    static NodeFacts.Socket socket(Path p) {
        if (!Files.exists(p)) return NodeFacts.Socket.MISSING;
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(p));
            return NodeFacts.Socket.ANSWERS;
        } catch (IOException e) {
            return NodeFacts.Socket.REFUSED;
        }
    }

    /** Entries of the kernel's ARP table (all namespaces share it), or -1 when unreadable. */
    static int arpEntries() {
        try {
            List<String> l = Files.readAllLines(Path.of("/proc/net/stat/arp_cache"));
            return Integer.parseInt(l.get(1).strip().split("\\s+")[0], 16);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@code net.ipv4.neigh.default.gc_thresh3} (visible in the initial namespace only), or -1. */
    static int gcThresh3() {
        try {
            return Integer.parseInt(io.podnet.cli.explain.KernelReader.readProc(Path.of("/proc/sys/net/ipv4/neigh/default/gc_thresh3")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static NodeFacts.Datastore datastore(Where w, NodeFacts partial) {
        if (w.datastore().isEmpty()) return NodeFacts.Datastore.NONE;
        Datastore store = null;
        try {
            store = w.datastore().get().open();
            ControlPlane cp = ControlPlaneReader.read(store, w.prefix(), Map.of());
            Set<String> nodes = new HashSet<>();
            for (KeyValue kv : store.snapshot(CALICO_NODES, 500).kvs()) nodes.add(kv.key().substring(CALICO_NODES.length()));
            Optional<IpAddress> me = Doctor.publicIp(partial);
            Map<IpAddress, Boolean> answers = w.probe() ? probe(w.node(), cp.leases().stream().map(ControlPlane.Lease::publicIp)
                    .filter(ip -> me.map(m -> !m.equals(ip)).orElse(true)).distinct().toList()) : Map.of();
            return new NodeFacts.Datastore(Optional.of(cp), Optional.empty(), w.prefix(), nodes, answers);
        } catch (Exception e) {
            return new NodeFacts.Datastore(Optional.empty(), Optional.of(e.getMessage()), w.prefix(), Set.of(), Map.of());
        } finally {
            if (store != null) store.close();
        }
    }

    /** One ping per address from inside the node namespace: true when it answered within a second. */
    static Map<IpAddress, Boolean> probe(NetNs node, List<IpAddress> ips) throws InterruptedException {
        Map<IpAddress, Future<Boolean>> jobs = new HashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16, Thread.ofVirtual().factory())) {
            for (IpAddress ip : ips) {
                jobs.put(ip, pool.submit(() -> {
                    List<String> cmd = new ArrayList<>();
                    if (!node.isCurrent()) cmd.addAll(List.of("nsenter", "--net=" + node.path()));
                    cmd.addAll(List.of("ping", "-c", "1", "-W", "1", ip.toString()));
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
                }));
            }
            Map<IpAddress, Boolean> out = new HashMap<>();
            for (var e : jobs.entrySet()) {
                try {
                    out.put(e.getKey(), e.getValue().get());
                } catch (java.util.concurrent.ExecutionException x) {
                    out.put(e.getKey(), false);
                }
            }
            return out;
        }
    }
}
