package io.podnet.overlay.backend;

import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.overlay.subnet.Backend;
import io.podnet.overlay.subnet.NetworkConfig;
import io.podnet.overlay.subnet.SubnetLease;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.RouteProtocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes the overlay's desired state from the leases (flannel's per-backend rules, SPECS-NOTES §3.4):
 * <ul>
 * <li>vxlan: per remote node {@code neigh <subnet .0> lladdr <VtepMAC> dev flannel.N nud permanent},
 *   {@code fdb <VtepMAC> dev flannel.N dst <PublicIP> self permanent} and
 *   {@code route <subnet> via <subnet .0> dev flannel.N onlink}; with DirectRouting, a node on the same
 *   underlay subnet gets a plain route via its PublicIP instead.</li>
 * <li>host-gw: {@code route <subnet> via <PublicIP> dev <underlay>}; a node not on the underlay's subnet
 *   cannot be reached that way and is reported as a problem (never silently routed).</li>
 * <li>udp: one device route for the whole network to the TUN, and the userspace table subnet → PublicIP.</li>
 * </ul>
 */
public final class BackendPlanner {
    private final NetworkConfig config;
    private final String overlayDevice;
    private final String underlayDevice;
    private final Cidr underlayAddress;

    /**
     * @param overlayDevice   flannel.VNI for vxlan, the TUN name for udp, unused for host-gw
     * @param underlayDevice  the node's external interface
     * @param underlayAddress the node's PublicIP with its prefix length (defines "same L2 segment")
     */
    public BackendPlanner(NetworkConfig config, String overlayDevice, String underlayDevice, Cidr underlayAddress) {
        this.config = config;
        this.overlayDevice = overlayDevice;
        this.underlayDevice = underlayDevice;
        this.underlayAddress = underlayAddress;
    }

    public OverlayPlan compute(SubnetLease mine, Collection<SubnetLease> all) {
        List<Neighbor> neigh = new ArrayList<>();
        List<FdbEntry> fdb = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        Map<IpPrefix, IpAddress> udp = new HashMap<>();
        List<String> problems = new ArrayList<>();
        IpPrefix sameSegment = underlayAddress.prefix();
        for (SubnetLease l : all) {
            if (l.subnet().equals(mine.subnet())) continue;
            IpAddress publicIp = l.attrs().publicIp();
            switch (config.backend()) {
                case Backend.Vxlan v -> {
                    if (v.directRouting() && sameSegment.contains(publicIp)) {
                        routes.add(own(Route.via(l.subnet(), publicIp, underlayDevice)));
                    } else if (l.attrs().vtepMac().isEmpty()) {
                        problems.add("node " + publicIp + " (" + l.subnet() + ") has no VtepMAC in its lease (BackendType "
                                + l.attrs().backendType() + "); not programmed");
                    } else {
                        IpAddress vtep = l.subnet().address();
                        neigh.add(Neighbor.permanent(overlayDevice, vtep, l.attrs().vtepMac().get()));
                        fdb.add(FdbEntry.vxlan(overlayDevice, l.attrs().vtepMac().get(), publicIp));
                        routes.add(own(Route.via(l.subnet(), vtep, overlayDevice).withOnlink()));
                    }
                }
                case Backend.HostGw _ -> {
                    if (sameSegment.contains(publicIp)) {
                        routes.add(own(Route.via(l.subnet(), publicIp, underlayDevice)));
                    } else {
                        problems.add("host-gw: node " + publicIp + " (" + l.subnet() + ") is not on this node's L2 segment "
                                + sameSegment + "; host-gw needs every node on one segment (use vxlan, or vxlan with DirectRouting)");
                    }
                }
                case Backend.Udp _ -> udp.put(l.subnet(), publicIp);
            }
        }
        if (config.backend() instanceof Backend.Udp) routes.add(own(Route.device(config.network(), overlayDevice)));
        return new OverlayPlan(neigh, fdb, routes, udp, problems);
    }

    private static Route own(Route r) {
        return r.protocol(RouteProtocol.PODNET);
    }

    /** The overlay MTU: vxlan underlay − 50, udp underlay − 28, host-gw the underlay's; Backend.MTU overrides. */
    public static int mtu(NetworkConfig config, int underlayMtu) {
        if (config.backend().mtu() > 0) return config.backend().mtu();
        return switch (config.backend()) {
            case Backend.Vxlan _ -> underlayMtu - 50;
            case Backend.Udp _ -> underlayMtu - 28;
            case Backend.HostGw _ -> underlayMtu;
        };
    }

    /** flannel's device name for a backend: flannel.VNI for vxlan, flannel0 for udp. */
    public static String deviceName(NetworkConfig config) {
        return switch (config.backend()) {
            case Backend.Vxlan v -> "flannel." + v.vni();
            case Backend.Udp _ -> "flannel0";
            case Backend.HostGw _ -> "";
        };
    }
}
