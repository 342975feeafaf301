package io.podnet.workload.routed;

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
import io.podnet.rtnetlink.LinkReaper;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.NetlinkException;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.workload.bridge.Attachment;
import io.podnet.workload.bridge.BridgeNetwork;
import io.podnet.workload.ns.NetnsThreads;
import java.io.IOException;
import java.util.ArrayList;
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
 *  pod:  eth0 10.65.1.7/32, fd65::7/128 (nodad)          node:  pnvXXXXXXXXXXX  mac ee:ee:ee:ee:ee:ee, up
 *        169.254.1.1 dev eth0 scope link                         10.65.1.7 dev pnv… scope link proto 98
 *        default via 169.254.1.1 dev eth0                        fd65::7 dev pnv… proto 98
 *        neigh 169.254.1.1 lladdr ee:ee:ee:ee:ee:ee PERMANENT    ip_forward, ipv6 forwarding, accept_dad 0 on pnv…
 *        default via fe80::ecee:eeff:feee:eeee dev eth0          (the host veth's EUI-64 link-local)
 * </pre>
 * The IPv4 gateway is answered by a permanent neighbour entry in the pod (Calico answers it with proxy ARP on
 * the host veth, which needs the node to hold a route to 169.254.1.1 through another device); the IPv6
 * gateway is the host veth's own link-local address, usable at once because DAD is off on that veth.
 * Every step is idempotent (replace, deleteIfPresent); a failed attach removes the pair, which takes the
 * node's routes to it along. Host sysctls go through {@link NetnsThreads} into the host handle's namespace.
 */
public final class RoutedNetwork {
    /** The IPv4 next hop every pod uses (Calico's). */
    public static final IpAddress GATEWAY_V4 = IpAddress.parse("169.254.1.1");
    /** The MAC of every host veth: the pod's frames to its gateway reach the host veth whatever it is. */
    public static final MacAddress HOST_MAC = MacAddress.parse("ee:ee:ee:ee:ee:ee");
    /** The IPv6 next hop: the EUI-64 link-local address of {@link #HOST_MAC}. */
    public static final IpAddress GATEWAY_V6 = IpAddress.parse("fe80::ecee:eeff:feee:eeee");

    private final Rtnetlink host;
    private final NetnsThreads threads;
    private final int mtu;
    private final LinkReaper reaper;

    /**
     * @param host   the node's namespace (the host veth ends and the pod routes go there)
     * @param threads workers homed in the host's namespace (sandbox sockets, host sysctls)
     * @param mtu    the pod interface's MTU, or 0 for the kernel's default (1500)
     * @param reaper deletes host veths returning once unregistered, or null to delete on {@code host}
     */
    public RoutedNetwork(Rtnetlink host, NetnsThreads threads, int mtu, LinkReaper reaper) {
        if (mtu < 0) throw new IllegalArgumentException("mtu must be >= 0: " + mtu);
        this.host = host;
        this.threads = threads;
        this.mtu = mtu;
        this.reaper = reaper;
    }

    /** What an attach made, for the CNI result's {@code interfaces}. */
    public record Attached(String hostVeth, MacAddress hostMac, String ifname, MacAddress containerMac) {}

    /** Attaches {@code a}: its addresses become host routes (/32, /128); its gateways are ignored (the node is the gateway). */
    public Attached attach(Attachment a) throws IOException {
        String hv = a.hostVethName();
        boolean made = false;
        Rtnetlink sb = NetnsThreads.await(threads.openHandle(a.sandbox()));
        try {
            LinkAttrs attrs = LinkAttrs.named(hv).mac(HOST_MAC);
            if (mtu > 0) attrs = attrs.mtu(mtu);
            try {
                host.links().add(attrs, LinkKind.Veth.peerIn(a.ifname(), a.sandbox()));
            } catch (NetlinkException e) {
                if (!e.isExists()) throw e;
                if (sb.links().get(a.ifname()).isPresent()) throw new BridgeNetwork.InterfaceExistsException(a.ifname(), a.sandbox().toString());
                deleteHostEnd(hv); // leftover host end of a crashed attempt
                host.links().add(attrs, LinkKind.Veth.peerIn(a.ifname(), a.sandbox()));
            }
            made = true;
            boolean v6 = a.ips().stream().anyMatch(ip -> ip.address().address().isV6());
            threads.ensureSysctl(host.namespace(), "net/ipv4/ip_forward", "1");
            if (v6) {
                threads.ensureSysctl(host.namespace(), "net/ipv6/conf/all/forwarding", "1");
                threads.ensureSysctl(host.namespace(), "net/ipv6/conf/" + hv + "/accept_dad", "0");
            }
            host.links().setUp(hv);

            MacAddress mac = a.mac().orElseGet(() -> MacAddress.random(ThreadLocalRandom.current()));
            sb.links().setMac(a.ifname(), mac);
            if (mtu > 0) sb.links().setMtu(a.ifname(), mtu);
            sb.links().setUp("lo");
            for (Attachment.IpConfig ip : a.ips()) {
                IpAddress addr = ip.address().address();
                var flags = addr.isV6() ? Set.of(AddressFlag.NODAD) : Set.<AddressFlag>of();
                sb.addresses().replace(new Address(a.ifname(), new Cidr(addr, addr.family().bits()), null, flags));
            }
            sb.links().setUp(a.ifname());
            for (Route r : sandboxRoutes(a)) sb.routes().replace(r);
            if (a.ips().stream().anyMatch(ip -> ip.address().address().isV4())) {
                sb.neighbors().replace(Neighbor.permanent(a.ifname(), GATEWAY_V4, HOST_MAC));
            }
            for (Route r : hostRoutes(a)) host.routes().replace(r);
            return new Attached(hv, HOST_MAC, a.ifname(), mac);
        } catch (IOException | RuntimeException e) {
            if (made) {
                try {
                    deleteHostEnd(hv);
                } catch (IOException | RuntimeException d) {
                    e.addSuppressed(d);
                }
            }
            throw e;
        } finally {
            threads.closeLater(sb); // closing frees a shared arena (a handshake with every thread): off the caller's path
        }
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
                .map(ip -> Route.device(IpPrefix.host(ip.address().address()), a.hostVethName()).protocol(RouteProtocol.PODNET))
                .toList();
    }

    /** Removes the pair (the node's routes to the pod go with the device); fine when already gone. */
    public void detach(Attachment a) throws IOException {
        deleteHostEnd(a.hostVethName());
    }

    /** What is wrong with an attachment on the node's side (empty when healthy). */
    public List<String> check(Attachment a) throws IOException {
        List<String> problems = new ArrayList<>();
        Optional<Link> hv = host.links().get(a.hostVethName());
        if (hv.isEmpty()) {
            problems.add("host veth " + a.hostVethName() + " is missing");
            return problems;
        }
        if (!hv.get().isUp()) problems.add("host veth " + a.hostVethName() + " is down");
        List<Route> have = host.routes().list();
        for (Route want : hostRoutes(a)) {
            boolean present = have.stream().anyMatch(r -> r.dst().equals(want.dst()) && r.dev().equals(want.dev()));
            if (!present) problems.add("node has no route " + want.dst() + " dev " + a.hostVethName());
        }
        return problems;
    }

    private void deleteHostEnd(String name) throws IOException {
        if (reaper != null) reaper.delete(name);
        else host.links().deleteIfPresent(name);
    }
}
