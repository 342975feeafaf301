package io.podnet.cli.doctor;

import io.podnet.cli.explain.ControlPlane;
import io.podnet.cli.explain.NsSnapshot;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.overlay.subnet.SubnetLease;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.LinkKind;
import java.util.List;
import java.util.Optional;

/**
 * The checks that compare the node with the cluster: subnet.env present and matching this node's lease (by
 * PublicIP) and the network config; the pod bridge's address inside FLANNEL_SUBNET; leases whose PublicIP no
 * longer answers (a node that is gone keeps its subnet reserved and a route on every node until the 24 h lease
 * expires); Calico-style IPAM blocks affine to nodes that are not registered.
 */
final class ClusterChecks {
    private ClusterChecks() {}

    static void run(NodeFacts f, List<Finding> out) {
        NodeFacts.Datastore ds = f.datastore();
        boolean overlay = ds.control().flatMap(ControlPlane::overlay).isPresent()
                || !(f.files().subnetEnv() instanceof NodeFacts.SubnetFile.Missing) || Doctor.tunnel(f.kernel().node()).isPresent();
        if (overlay) subnetEnv(f, out);
        ds.error().ifPresent(e -> out.add(Finding.warn("datastore", "could not read the datastore (" + e + "): leases and blocks not checked",
                "check --etcd-endpoints and that etcd is up")));
        ds.control().ifPresent(cp -> {
            staleLeases(f, cp, out);
            staleBlocks(ds, cp, out);
        });
    }

    private static void subnetEnv(NodeFacts f, List<Finding> out) {
        NodeFacts.SubnetFile file = f.files().subnetEnv();
        switch (file) {
            case NodeFacts.SubnetFile.Missing m -> out.add(Finding.error("subnet.env", m.path() + " is missing: podnet-flannel (and flannel's CNI plugin) fail every ADD "
                    + "with \"open " + m.path() + ": no such file\"", "start the agent in overlay mode (it writes " + m.path() + " once it holds a lease)"));
            case NodeFacts.SubnetFile.Invalid i -> out.add(Finding.error("subnet.env", i.path() + " is unreadable: " + i.error(), "restart the agent (it rewrites the file)"));
            case NodeFacts.SubnetFile.Present p -> present(f, p, out);
        }
    }

    private static void present(NodeFacts f, NodeFacts.SubnetFile.Present p, List<Finding> out) {
        IpPrefix subnet = p.env().subnet().prefix();
        Optional<ControlPlane> cp = f.datastore().control();
        Optional<IpAddress> me = Doctor.publicIp(f);
        boolean ok = true;
        if (cp.isPresent()) {
            Optional<ControlPlane.Lease> own = me.flatMap(cp.get()::leaseOf);
            if (own.isEmpty()) {
                ok = false;
                out.add(Finding.error("subnet.env", "no lease in the datastore has PublicIP " + me.map(Object::toString).orElse("?") + ", but " + p.path()
                        + " says " + subnet + ": the subnet is not reserved and another node may take it", "restart the agent (it acquires " + subnet + " again)"));
            } else if (!own.get().subnet().equals(subnet)) {
                ok = false;
                out.add(Finding.error("subnet.env", p.path() + " is stale: it says " + subnet + " but this node's lease is " + own.get().subnet()
                        + ": new pods get addresses routed to another node", "restart the agent (it rewrites " + p.path() + "), then recreate the pods of " + subnet));
            }
            Optional<ControlPlane.OverlayNetwork> net = cp.get().overlay();
            if (net.isPresent() && !net.get().network().equals(p.env().network())) {
                ok = false;
                out.add(Finding.error("subnet.env", p.path() + " says FLANNEL_NETWORK=" + p.env().network() + " but the network config is " + net.get().network(),
                        "restart the agent (it rewrites " + p.path() + ")"));
            }
        }
        NsSnapshot n = f.kernel().node();
        for (var l : n.links()) {
            if (!(l.kind() instanceof LinkKind.Bridge)) continue;
            for (Address a : n.addresses(l.name())) {
                if (a.cidr().address().isV4() && p.env().network().contains(a.cidr().address()) && !subnet.contains(a.cidr().address())) {
                    ok = false;
                    out.add(Finding.error("subnet.env", l.name() + " has " + a.cidr() + ", outside FLANNEL_SUBNET " + p.env().subnet()
                            + " (\"" + l.name() + " already has an IP address different from ...\": pod ADDs fail)",
                            Doctor.in(n, "ip addr del " + a.cidr() + " dev " + l.name()) + " (after moving its pods away)"));
                }
            }
        }
        if (ok) out.add(Finding.ok("subnet.env", p.path() + ": " + p.env().subnet() + ", MTU " + p.env().mtu() + (cp.isPresent() ? ", matches this node's lease" : "")));
    }

    private static void staleLeases(NodeFacts f, ControlPlane cp, List<Finding> out) {
        Optional<IpAddress> me = Doctor.publicIp(f);
        int stale = 0;
        for (ControlPlane.Lease l : cp.leases()) {
            if (me.map(l.publicIp()::equals).orElse(false)) continue;
            if (Boolean.FALSE.equals(f.datastore().answers().get(l.publicIp()))) {
                stale++;
                out.add(Finding.warn("leases", "lease " + l.subnet() + " is held by " + l.publicIp() + ", which does not answer: if that node is gone, its subnet "
                        + "stays reserved and every node keeps a route to it until the lease expires",
                        "etcdctl del " + f.datastore().prefix() + "/subnets/" + SubnetLease.keyName(l.subnet())));
            }
        }
        if (stale == 0) out.add(Finding.ok("leases", cp.leases().size() + " lease(s); every other node answers"));
    }

    private static void staleBlocks(NodeFacts.Datastore ds, ControlPlane cp, List<Finding> out) {
        if (cp.blocks().isEmpty()) return;
        int stale = 0;
        for (ControlPlane.Block b : cp.blocks()) {
            if (!ds.registeredNodes().contains(b.node())) {
                stale++;
                out.add(Finding.warn("blocks", "IPAM block " + b.cidr() + " is affine to " + b.node() + ", which is not a registered node: its addresses stay taken",
                        "podnet node delete " + b.node() + " (releases its blocks and addresses)"));
            }
        }
        if (stale == 0) out.add(Finding.ok("blocks", cp.blocks().size() + " IPAM block(s), all of registered nodes"));
    }
}
