package io.podnet.workload.routed;

import io.podnet.dataplane.ApplyReport;
import io.podnet.dataplane.Kernel;
import io.podnet.dataplane.NodeDataplane;
import io.podnet.dataplane.Sandboxes;
import io.podnet.dataplane.SysctlTable;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.AddressFlag;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Namespaces;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.NetlinkException;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.workload.bridge.Attachment;
import io.podnet.workload.bridge.BridgeNetwork;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Routed (calico-style, pure L3) attachment of a workload: a veth pair and no bridge. The node routes each pod
 * address to its host veth; the pod sends everything to a fixed link-local gateway that the host veth stands in
 * for, so pods on one node, on other nodes (with routes from BGP) and the node itself are all one routing hop
 * away, and nothing is bridged or learned.
 * <pre>
 *  pod:  eth0 10.65.1.7/32, fd65::7/128 (nodad)          node:  caliXXXXXXXXXXX  mac ee:ee:ee:ee:ee:ee, up
 *        169.254.1.1 dev eth0 scope link                         10.65.1.7 dev cali… scope link proto 98
 *        default via 169.254.1.1 dev eth0                        fd65::7 dev cali… proto 98
 *        neigh 169.254.1.1 lladdr ee:ee:ee:ee:ee:ee PERMANENT    ip_forward, ipv6 forwarding, accept_dad 0 on cali…
 *        default via fe80::ecee:eeff:feee:eeee dev eth0          (the host veth's EUI-64 link-local)
 * </pre>
 * The IPv4 gateway is answered by a permanent neighbour entry in the pod (Calico answers it with proxy ARP on
 * the host veth, which needs the node to hold a route to 169.254.1.1 through another device); the IPv6
 * gateway is the host veth's own link-local address, usable at once because DAD is off on that veth.
 * <p>The node's side is desired state in the {@link NodeDataplane}, owner {@value #OWNER}: the host routes (in the
 * main table, which every producer shares; the table owns routes on {@code cali*} and with proto 98, so the
 * overlay's resync keeps these and this one keeps the overlay's) and forwarding. The veth and the pod side are
 * ensure-steps through the {@link Kernel} seam; {@code accept_dad} of the host veth is per pod (written once, gone
 * with the veth). A failed attach removes the pair (and withdraws its routes).
 */
public final class RoutedNetwork {
    /** The IPv4 next hop every pod uses (Calico's). */
    public static final IpAddress GATEWAY_V4 = IpAddress.parse("169.254.1.1");
    /** The MAC of every host veth: the pod's frames to its gateway reach the host veth whatever it is. */
    public static final MacAddress HOST_MAC = MacAddress.parse("ee:ee:ee:ee:ee:ee");
    /** The IPv6 next hop: the EUI-64 link-local address of {@link #HOST_MAC}. */
    public static final IpAddress GATEWAY_V6 = IpAddress.parse("fe80::ecee:eeff:feee:eeee");
    /** The producer name of routed mode's host state. */
    public static final String OWNER = "routed";

    private final NodeDataplane dp;
    private final Kernel host;
    private final Sandboxes sandboxes;
    private final int mtu;

    /**
     * @param dp        the node's dataplane (host routes and sysctls are its desired state; its kernel makes veths)
     * @param sandboxes how to reach pods
     * @param mtu       the pod interface's MTU, or 0 for the kernel's default (1500)
     */
    public RoutedNetwork(NodeDataplane dp, Sandboxes sandboxes, int mtu) {
        if (mtu < 0) throw new IllegalArgumentException("mtu must be >= 0: " + mtu);
        this.dp = dp;
        this.host = dp.kernel();
        this.sandboxes = sandboxes;
        this.mtu = mtu;
    }

    /** What an attach made, for the CNI result's {@code interfaces}. */
    public record Attached(String hostVeth, MacAddress hostMac, String ifname, MacAddress containerMac) {}

    /** The host veth of an attachment: {@code cali} + 11 hex digits. */
    public static String hostVeth(Attachment a) {
        return Attachment.hostVethName(Attachment.ROUTED_VETH_PREFIX, a.containerId(), a.ifname());
    }

    /** Attaches {@code a}: its addresses become host routes (/32, /128); its gateways are ignored (the node is the gateway). */
    public Attached attach(Attachment a) throws IOException {
        String hv = hostVeth(a);
        boolean made = false;
        Kernel sb = Namespaces.await(sandboxes.open(a.sandbox()));
        try {
            LinkAttrs attrs = LinkAttrs.named(hv).mac(HOST_MAC);
            if (mtu > 0) attrs = attrs.mtu(mtu);
            try {
                host.addLink(attrs, LinkKind.Veth.peerIn(a.ifname(), a.sandbox()));
            } catch (NetlinkException e) {
                if (!e.isExists()) throw e;
                if (sb.getLink(a.ifname()).isPresent()) throw new BridgeNetwork.InterfaceExistsException(a.ifname(), a.sandbox().toString());
                host.reapLink(hv); // leftover host end of a crashed attempt
                host.addLink(attrs, LinkKind.Veth.peerIn(a.ifname(), a.sandbox()));
            }
            made = true;
            boolean v6 = a.ips().stream().anyMatch(ip -> ip.address().address().isV6());
            if (v6) host.writeSysctl("net/ipv6/conf/" + hv + "/accept_dad", "0");
            host.setLinkUp(hv);
            MacAddress podMac = configureSandbox(a, sb);
            desireHostState(a);
            ApplyReport r = dp.applyNow();
            List<String> ours = r.failures().stream().filter(f -> f.contains(" dev " + hv)).toList();
            if (!ours.isEmpty()) throw new IOException("host routes of " + hv + ": " + String.join("; ", ours));
            return new Attached(hv, HOST_MAC, a.ifname(), podMac);
        } catch (IOException | RuntimeException e) {
            if (made) {
                try {
                    detach(a);
                } catch (IOException | RuntimeException d) {
                    e.addSuppressed(d);
                }
            }
            throw e;
        } finally {
            sandboxes.release(sb);
        }
    }

    /** The pod side: MAC, MTU, lo, addresses, link up, routes, the gateway's neighbour entry; returns the pod's MAC. */
    private MacAddress configureSandbox(Attachment a, Kernel sb) throws IOException {
        MacAddress mac = a.mac().orElseGet(() -> MacAddress.random(ThreadLocalRandom.current()));
        sb.setLinkMac(a.ifname(), mac);
        if (mtu > 0) sb.setLinkMtu(a.ifname(), mtu);
        sb.setLinkUp("lo");
        for (Attachment.IpConfig ip : a.ips()) {
            IpAddress addr = ip.address().address();
            var flags = addr.isV6() ? Set.of(AddressFlag.NODAD) : Set.<AddressFlag>of();
            sb.replaceAddress(new Address(a.ifname(), new Cidr(addr, addr.family().bits()), null, flags));
        }
        sb.setLinkUp(a.ifname());
        for (Route r : sandboxRoutes(a)) sb.replaceRoute(r);
        if (a.ips().stream().anyMatch(ip -> ip.address().address().isV4())) sb.replaceNeighbor(Neighbor.permanent(a.ifname(), GATEWAY_V4, HOST_MAC));
        return mac;
    }

    /** The node's side of {@code a} as desired state: its host routes, forwarding and FORWARD accepts. */
    private void desireHostState(Attachment a) {
        for (Route r : hostRoutes(a)) {
            dp.routes().setRoute(OWNER, r);
            dp.forward().acceptPod(OWNER, r.dst());
        }
        for (IpFamily f : families(a)) dp.sysctls().setSysctl(OWNER, SysctlTable.forwarding(f), "1");
    }

    /**
     * At agent start, before the dataplane's first pass: the host routes of every routed pod that still has its
     * addresses (from the IPAM reservations), so the first resync keeps them.
     */
    public void restore(Collection<Attachment> attachments) {
        for (Attachment a : attachments) desireHostState(a);
    }

    private static List<IpFamily> families(Attachment a) {
        return a.ips().stream().map(ip -> ip.address().family()).distinct().toList();
    }

    /** The pod's routes: the gateway on-link, the default through it per family, and the attachment's own routes. */
    static List<Route> sandboxRoutes(Attachment a) {
        List<Route> out = new ArrayList<>();
        boolean v4 = a.ips().stream().anyMatch(ip -> ip.address().address().isV4());
        boolean v6 = a.ips().stream().anyMatch(ip -> ip.address().address().isV6());
        if (v4) {
            out.add(Route.device(IpPrefix.host(GATEWAY_V4), a.ifname()));
            out.add(Route.via(IpPrefix.DEFAULT_V4, GATEWAY_V4, a.ifname()));
        }
        if (v6) out.add(Route.via(IpPrefix.DEFAULT_V6, GATEWAY_V6, a.ifname()));
        for (Attachment.RouteSpec r : a.routes()) {
            IpFamily f = r.dst().family();
            if (r.dst().equals(IpPrefix.DEFAULT_V4) || r.dst().equals(IpPrefix.DEFAULT_V6)) continue; // already there
            if ((f == IpFamily.V4 && !v4) || (f == IpFamily.V6 && !v6)) continue;
            out.add(Route.via(r.dst(), r.gateway().orElse(f == IpFamily.V4 ? GATEWAY_V4 : GATEWAY_V6), a.ifname()));
        }
        return out;
    }

    /** The node's routes to the pod: one per address, on the host veth, marked as podnet's. */
    static List<Route> hostRoutes(Attachment a) {
        return a.ips().stream()
                .map(ip -> Route.device(IpPrefix.host(ip.address().address()), hostVeth(a)).protocol(RouteProtocol.PODNET))
                .toList();
    }

    /** Withdraws the pod's host routes and removes the pair; fine when already gone. */
    public void detach(Attachment a) throws IOException {
        for (Route r : hostRoutes(a)) {
            dp.routes().removeRoute(OWNER, r.dst());
            dp.forward().removePod(OWNER, r.dst());
        }
        host.reapLink(hostVeth(a));
    }

    /** What is wrong with an attachment on the node's side (empty when healthy). */
    public List<String> check(Attachment a) throws IOException {
        List<String> problems = new ArrayList<>();
        String hv = hostVeth(a);
        Optional<Link> link = host.getLink(hv);
        if (link.isEmpty()) {
            problems.add("host veth " + hv + " is missing");
            return problems;
        }
        if (!link.get().isUp()) problems.add("host veth " + hv + " is down");
        List<Route> have = host.listRoutes(dp.routes().config().table());
        for (Route want : hostRoutes(a)) {
            boolean present = have.stream().anyMatch(r -> r.dst().equals(want.dst()) && r.dev().equals(want.dev()));
            if (!present) problems.add("node has no route " + want.dst() + " dev " + hv);
        }
        return problems;
    }
}
