package io.podnet.rtnetlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import io.podnet.testkit.Sh;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every task runs in the namespace it names, whichever thread (and whichever namespace) asks. */
@ExtendWith(NetnsExtension.class)
class NamespacesNetnsIT {

    static String forwarding(Netns ns) {
        return ns.exec("sysctl", "-n", "net.ipv4.ip_forward").check().out().strip();
    }

    @Test
    void sysctlsLandInTheNamedNamespaceEvenWhenTheCallerSitsInAnother(Netns home, Netns other) throws Exception {
        Sh.check("ip", "netns", "exec", home.name(), "sysctl", "-qw", "net.ipv4.ip_forward=0");
        Sh.check("ip", "netns", "exec", other.name(), "sysctl", "-qw", "net.ipv4.ip_forward=0");
        try (Namespaces t = Namespaces.pool(NetNs.named(home.name()), 2)) {
            // the caller is a thread inside "other"; the sysctl is meant for "home"
            Namespaces.runIn(NetNs.named(other.name()), () -> {
                t.ensureSysctl(NetNs.named(home.name()), "net/ipv4/ip_forward", "1");
                return null;
            });
            assertThat(forwarding(home)).isEqualTo("1");
            assertThat(forwarding(other)).isEqualTo("0");
            // and the other way round, from a thread inside "home"
            Namespaces.runIn(NetNs.named(home.name()), () -> {
                t.ensureSysctl(NetNs.named(other.name()), "net.ipv4.ip_forward", "1");
                return null;
            });
            assertThat(forwarding(other)).isEqualTo("1");
            assertThat(t.readSysctl(NetNs.named(home.name()), "net/ipv4/ip_forward")).contains("1");
        }
    }

    @Test
    void workersGoHomeBetweenTasksAndHandlesLiveInTheirNamespace(Netns home, Netns a, Netns b) throws Exception {
        Sh.ip(a.name(), "link", "add", "only-in-a", "type", "veth", "peer", "name", "only-in-a2");
        Sh.ip(b.name(), "link", "add", "only-in-b", "type", "veth", "peer", "name", "only-in-b2");
        try (Namespaces t = Namespaces.pool(NetNs.named(home.name()), 1)) {
            List<Future<Rtnetlink>> handles = new ArrayList<>();
            for (int i = 0; i < 6; i++) handles.add(t.openHandle(NetNs.named((i % 2 == 0 ? a : b).name())));
            for (int i = 0; i < 6; i++) {
                try (Rtnetlink h = Namespaces.await(handles.get(i))) {
                    assertThat(h.links().get("only-in-a").isPresent()).isEqualTo(i % 2 == 0);
                    assertThat(h.links().get("only-in-b").isPresent()).isEqualTo(i % 2 == 1);
                }
            }
            // the single worker has visited a and b; a task for home sees home's links only
            try (Rtnetlink h = Namespaces.await(t.openHandle(NetNs.named(home.name())))) {
                assertThat(h.links().get("only-in-a")).isEmpty();
                assertThat(h.links().get("only-in-b")).isEmpty();
            }
            assertThatThrownBy(() -> t.call(NetNs.named(home.name() + "-missing"), () -> null)).isInstanceOf(NoSuchFileException.class);
            assertThat(t.call(NetNs.named(a.name()), () -> "still works")).isEqualTo("still works");
        }
    }
}
