package io.podnet.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.dataplane.fake.ManualScheduler;
import io.podnet.testkit.ManualClock;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two "nodes" (namespaces) joined by a veth underlay, each with a flannel-style vxlan device, programmed only
 * through the tables and a running reconcile loop: a ping across the overlay proves the neighbour, FDB entry
 * and onlink route together are what the kernel needs; removing the remote node breaks it again.
 */
@ExtendWith(NetnsExtension.class)
class ReconcilerNetnsIT {
    private static final String VX = "flannel.1";

    private record Node(Netns ns, String underlay, String subnetGw, MacAddress vtep) {}

    private static void plumb(Node n) {
        String name = n.ns().name();
        Sh.ip(name, "addr", "add", n.underlay() + "/24", "dev", "u0");
        Sh.ip(name, "link", "set", "u0", "up");
        Sh.ip(name, "link", "add", VX, "address", n.vtep().toString(), "type", "vxlan", "id", "1", "local", n.underlay(),
                "dev", "u0", "dstport", "8472", "nolearning");
        Sh.ip(name, "link", "set", VX, "mtu", "1450", "up");
    }

    /** The vxlan backend's programming on {@code self} for one remote node. */
    private static void wantRemote(Tables t, Node remote, boolean present) {
        IpAddress gw = IpAddress.parse(remote.subnetGw());
        IpPrefix subnet = IpPrefix.parse(remote.subnetGw() + "/24");
        if (present) {
            t.neigh.setNeighbor(VX, gw, remote.vtep());
            t.fdb.setEntry(VX, remote.vtep(), IpAddress.parse(remote.underlay()));
            t.routes.setRoute(Route.via(subnet, gw, VX).withOnlink());
        } else {
            t.routes.removeRoute(subnet);
            t.fdb.removeEntry(VX, remote.vtep(), IpAddress.parse(remote.underlay()));
            t.neigh.removeNeighbor(VX, gw);
        }
    }

    private record Tables(AddressSet addrs, NeighborTable neigh, FdbTable fdb, RouteTable routes) {}

    private static Tables tables(Kernel k, Reconciler loop) {
        InstantSource clock = InstantSource.system();
        var t = new Tables(new AddressSet(k, clock, Set.of(VX)), new NeighborTable(k, clock, Set.of(VX)),
                new FdbTable(k, clock, Set.of(VX)), new RouteTable(k, clock, RouteTableConfig.main()));
        loop.register(t.routes());
        loop.register(t.fdb());
        loop.register(t.neigh());
        loop.register(t.addrs());
        return t;
    }

    private static void awaitInSync(Reconciler loop) throws InterruptedException {
        assertThat(loop.awaitInSync(Duration.ofSeconds(10))).as("in sync: %s", loop.lastReport()).isTrue();
    }

    @Test
    void vxlanOverlayProgrammedByTheLoopCarriesTrafficAndRemovalTearsItDown(Netns a, Netns b) throws Exception {
        Sh.ip(a.name(), "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", b.name());
        Node na = new Node(a, "192.168.50.1", "10.244.1.0", MacAddress.parse("0a:58:0a:f4:01:00"));
        Node nb = new Node(b, "192.168.50.2", "10.244.2.0", MacAddress.parse("0a:58:0a:f4:02:00"));
        plumb(na);
        plumb(nb);
        try (var ha = Rtnetlink.open(NetNs.named(a.name())); var hb = Rtnetlink.open(NetNs.named(b.name()));
             var timer = new ExecutorScheduler("test-timer");
             var loopA = new Reconciler(InstantSource.system(), timer, ReconcilerConfig.DEFAULT);
             var loopB = new Reconciler(InstantSource.system(), timer, ReconcilerConfig.DEFAULT)) {
            Tables ta = tables(new RtnetlinkKernel(ha), loopA);
            Tables tb = tables(new RtnetlinkKernel(hb), loopB);
            loopA.start();
            loopB.start();
            ta.addrs().setAddress(Address.of(VX, na.subnetGw() + "/32"));
            tb.addrs().setAddress(Address.of(VX, nb.subnetGw() + "/32"));
            wantRemote(ta, nb, true);
            wantRemote(tb, na, true);
            awaitInSync(loopA);
            awaitInSync(loopB);

            assertThat(a.ping("10.244.2.0")).as("overlay ping a -> b").isTrue();
            assertThat(Sh.ip(a.name(), "route", "show", "10.244.2.0/24")).contains("via 10.244.2.0 dev flannel.1", "onlink", "proto 98");

            wantRemote(ta, nb, false);
            awaitInSync(loopA);
            assertThat(Sh.ip(a.name(), "route", "show", "proto", "98")).isBlank();
            assertThat(Sh.ip(a.name(), "neigh", "show", "dev", VX)).doesNotContain("10.244.2.0");
            assertThat(Sh.check("bridge", "-n", a.name(), "fdb", "show", "dev", VX)).doesNotContain("192.168.50.2");
            assertThat(a.ping("10.244.2.0")).isFalse();
        }
    }

    @Test
    void linkEventProgramsARouteWaitingForItsVeth(Netns ns) throws Exception {
        var clock = new ManualClock(); // time never moves: only the link event can end the backoff
        try (var h = Rtnetlink.open(NetNs.named(ns.name()));
             var loop = new Reconciler(clock, new ManualScheduler(clock), ReconcilerConfig.DEFAULT);
             var _ = h.subscribeLinks(e -> loop.interfaceChanged(e.link().name()))) {
            var routes = new RouteTable(new RtnetlinkKernel(h), clock, RouteTableConfig.main().withInterfacePrefixes("cali"));
            loop.register(routes);
            routes.setRoute(Route.device(IpPrefix.parse("10.65.0.7/32"), "cali0a1b"));
            ApplyReport failed = loop.runOnce();
            assertThat(failed.failures()).singleElement().asString().contains("ENODEV");
            loop.start();

            Sh.ip(ns.name(), "link", "add", "cali0a1b", "type", "veth", "peer", "name", "c0p");
            Sh.ip(ns.name(), "link", "set", "cali0a1b", "up");

            assertThat(loop.awaitInSync(Duration.ofSeconds(10))).as("in sync: %s", loop.lastReport()).isTrue();
            assertThat(Sh.ip(ns.name(), "route", "show", "10.65.0.7")).contains("dev cali0a1b", "proto 98");

            // the veth goes away and comes back (a pod sandbox restart): the route follows it
            Sh.ip(ns.name(), "link", "del", "cali0a1b");
            Sh.ip(ns.name(), "link", "add", "cali0a1b", "type", "veth", "peer", "name", "c0p");
            Sh.ip(ns.name(), "link", "set", "cali0a1b", "up");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (Sh.ip(ns.name(), "route", "show", "10.65.0.7").isBlank()) {
                if (System.nanoTime() > deadline) throw new AssertionError("route not restored: " + loop.lastReport());
                loop.awaitInSync(Duration.ofMillis(100));
            }
        }
    }
}
