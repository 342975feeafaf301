package io.podnet.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.net.IpAddress;
import io.podnet.overlay.subnet.SubnetEnv;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything {@link Doctor} looks at, read beforehand by {@link DoctorReader}: the node's kernel state and the
 * namespaces its veths lead to, its files (subnet.env, the CNI config directory, the agent's socket), the
 * cluster's datastore view, and the neighbour table's fill level.
 */
public record NodeFacts(Kernel kernel, Files files, Datastore datastore) {

    /**
     * The node namespace, the namespaces at the other end of its veths, the underlay interface ({@code --iface},
     * else the overlay device's lower device, else the default route's), and the neighbour table: entries
     * (kernel-wide, from {@code /proc/net/stat/arp_cache}) against {@code gc_thresh3}.
     */
    public record Kernel(NsSnapshot node, List<NsSnapshot> peers, Optional<String> underlay, int neighEntries, int gcThresh3) {
        public Kernel {
            peers = List.copyOf(peers);
        }
    }

    /** subnet.env as found: missing, unreadable (with the reason) or parsed. */
    public sealed interface SubnetFile {
        Path path();

        record Missing(Path path) implements SubnetFile {}

        record Invalid(Path path, String error) implements SubnetFile {}

        record Present(Path path, SubnetEnv env) implements SubnetFile {}
    }

    /** A file of the CNI config directory: its name and its JSON (empty with {@code error} when it does not parse). */
    public record ConfFile(String name, Optional<JsonNode> json, String error) {}

    /** Whether the agent's CNI socket exists and accepts a connection. */
    public enum Socket { MISSING, REFUSED, ANSWERS }

    public record Files(SubnetFile subnetEnv, Path cniConfDir, List<ConfFile> cniConfs, Path cniSocket, Socket socket) {
        public Files {
            cniConfs = List.copyOf(cniConfs);
        }
    }

    /**
     * The datastore's view, when one was given: the control plane (overlay config, leases, blocks), or the error
     * reaching it; the overlay's key prefix; the Calico-style registered nodes ({@code /calico/resources/v3/projectcalico.org/nodes/}); and
     * for each remote lease's PublicIP whether it answered a probe.
     */
    public record Datastore(Optional<ControlPlane> control, Optional<String> error, String prefix, Set<String> registeredNodes,
                            Map<IpAddress, Boolean> answers) {
        public Datastore {
            registeredNodes = Set.copyOf(registeredNodes);
            answers = Map.copyOf(answers);
        }

        public static final Datastore NONE = new Datastore(Optional.empty(), Optional.empty(), "/coreos.com/network", Set.of(), Map.of());
    }
}
