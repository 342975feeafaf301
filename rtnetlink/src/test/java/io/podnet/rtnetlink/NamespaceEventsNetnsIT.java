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
        String inode = byPath.run(() -> java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/ns/net")).toString());
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
}
