package io.podnet.cli.explain;

import io.podnet.net.IpAddress;
import java.util.List;
import java.util.Optional;

/**
 * The namespaces explain can see (pods, nodes, the lab's underlay switch) and the control plane beside them.
 * {@code lab} names the lab they come from (fix commands then use {@code podnet lab exec}); empty on a real node,
 * where the namespace called {@link #HOST} is the node itself.
 */
public record Cluster(List<NsSnapshot> namespaces, ControlPlane control, Optional<String> lab) {
    public static final String HOST = "host";

    public Cluster {
        namespaces = List.copyOf(namespaces);
        if (control == null) control = ControlPlane.NONE;
        if (lab == null) lab = Optional.empty();
    }

    public Cluster(List<NsSnapshot> namespaces, ControlPlane control) {
        this(namespaces, control, Optional.empty());
    }

    /** A shell command that runs {@code cmd} in namespace {@code ns}. */
    public String exec(String ns, String cmd) {
        if (lab.isPresent()) return "podnet lab exec" + (lab.get().equals("lab") ? "" : " --name " + lab.get()) + " " + ns + " -- " + cmd;
        return ns.equals(HOST) ? cmd : "ip netns exec " + ns + " " + cmd;
    }

    /** How to restart the agent of {@code node}. */
    public String restartAgent(String node) {
        if (lab.isPresent()) return "podnet lab start-node" + (lab.get().equals("lab") ? "" : " --name " + lab.get()) + " " + node;
        return "systemctl restart podnet-agent";
    }

    public Optional<NsSnapshot> ns(String name) {
        return namespaces.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** The namespace that has {@code ip} on an interface; a pod wins over a node (a node may hold a pod gateway). */
    public Optional<NsSnapshot> ownerOf(IpAddress ip) {
        Optional<NsSnapshot> pod = namespaces.stream().filter(n -> n.role() == NsSnapshot.Role.POD && n.owns(ip)).findFirst();
        return pod.isPresent() ? pod : namespaces.stream().filter(n -> n.owns(ip)).findFirst();
    }

    /** The node namespace of {@code node}. */
    public Optional<NsSnapshot> node(String node) {
        return namespaces.stream().filter(n -> n.role() == NsSnapshot.Role.NODE && n.node().equals(node)).findFirst();
    }
}
