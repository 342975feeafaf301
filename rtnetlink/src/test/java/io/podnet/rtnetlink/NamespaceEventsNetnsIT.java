package io.podnet.rtnetlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class NamespaceEventsNetnsIT {

    @Test
    void createsAndDeletesNamedNamespacesLikeIpNetns() throws Exception {
        String name = RunId.name("ns");
        NetNs ns = NetNs.create(name);
        try {
            assertThat(Sh.check("ip", "netns", "list")).contains(name);
            assertThat(ns.name()).contains(name);
            // it is a separate namespace: only loopback inside
            try (var h = Rtnetlink.open(ns)) {
                assertThat(h.links().list()).extracting(Link::name).containsExactly("lo");
            }
            assertThatThrownBy(() -> NetNs.create(name)).hasMessageContaining("EEXIST");
        } finally {
            ns.deleteIfPresent();
        }
        assertThat(Sh.check("ip", "netns", "list")).doesNotContain(name);
        assertThat(ns.deleteIfPresent()).isFalse();
    }

    @Test
    void opensNamespacesByPathAndPidAndRunsTasksInside(Netns a) throws Exception {
        NetNs byPath = NetNs.at(a.path());
        String inode = Namespaces.runIn(byPath, () -> java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/ns/net")).toString());
        assertThat(inode).isEqualTo(Sh.check("ip", "netns", "exec", a.name(), "readlink", "/proc/self/ns/net").strip());
        assertThat(NetNs.ofPid(ProcessHandle.current().pid()).path().toString()).endsWith("/ns/net");
        assertThat(NetNs.current().isCurrent()).isTrue();
    }

    @Test
    void deliversTypedLinkEvents(Netns a) throws Exception {
        List<LinkEvent> events = new CopyOnWriteArrayList<>();
        try (var h = Rtnetlink.open(NetNs.named(a.name())); var sub = h.subscribeLinks(events::add)) {
            h.links().add(LinkAttrs.named("ev0"), LinkKind.Veth.peer("ev0p"));
            h.links().setUp("ev0");
            h.links().delete("ev0");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && events.stream().noneMatch(e -> e instanceof LinkEvent.Removed r && r.link().name().equals("ev0"))) {
                Thread.onSpinWait();
            }
            assertThat(sub.isRunning()).isTrue();
        }
        assertThat(events).anySatisfy(e -> {
            assertThat(e).isInstanceOf(LinkEvent.Updated.class);
            assertThat(e.link().name()).isEqualTo("ev0");
        });
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(LinkEvent.Updated.class).matches(x -> x.link().isUp()));
        assertThat(events).anySatisfy(e -> {
            assertThat(e).isInstanceOf(LinkEvent.Removed.class);
            assertThat(e.link().name()).isEqualTo("ev0");
        });
    }

    @Test
    void deliversAddressRouteAndNeighbourEventsWithDeviceNames(Netns a) throws Exception {
        List<KernelEvent> events = new CopyOnWriteArrayList<>();
        try (var h = Rtnetlink.open(NetNs.named(a.name()));
             var sub = h.subscribe(java.util.Set.of(EventGroup.ADDRESS, EventGroup.ROUTE, EventGroup.NEIGHBOR), events::add)) {
            // a link made after the subscription started: its name comes from the link events the reader follows
            Sh.ip(a.name(), "link", "add", "ev1", "type", "veth", "peer", "name", "ev1p");
            Sh.ip(a.name(), "link", "set", "ev1", "up");
            Sh.ip(a.name(), "addr", "add", "10.66.0.1/24", "dev", "ev1");
            Sh.ip(a.name(), "route", "add", "10.67.0.0/24", "via", "10.66.0.2", "proto", "98");
            Sh.ip(a.name(), "neigh", "replace", "10.66.0.9", "lladdr", "0a:58:0a:00:00:09", "dev", "ev1", "nud", "permanent");
            Sh.ip(a.name(), "route", "del", "10.67.0.0/24");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline && events.stream().noneMatch(e -> e instanceof KernelEvent.RouteChanged r && r.removed()
                    && r.route().dst().toString().equals("10.67.0.0/24"))) {
                Thread.onSpinWait();
            }
        }
        assertThat(events).noneMatch(e -> e instanceof LinkEvent); // not asked for, though the reader follows links
        assertThat(events).anySatisfy(e -> assertThat(e).isEqualTo(new KernelEvent.AddressChanged(
                new Address("ev1", io.podnet.net.Cidr.parse("10.66.0.1/24"), RouteScope.UNIVERSE, java.util.Set.of(AddressFlag.PERMANENT)), false)));
        assertThat(events).anySatisfy(e -> {
            assertThat(e).isInstanceOf(KernelEvent.RouteChanged.class);
            var r = (KernelEvent.RouteChanged) e;
            assertThat(r.removed()).isFalse();
            assertThat(r.route().dev()).contains("ev1");
            assertThat(r.route().protocol()).isEqualTo(RouteProtocol.PODNET);
        });
        assertThat(events).contains(new KernelEvent.NeighborChanged("ev1", false, false));
    }
}
