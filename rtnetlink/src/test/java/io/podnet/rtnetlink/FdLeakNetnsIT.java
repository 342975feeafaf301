package io.podnet.rtnetlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpPrefix;
import io.podnet.testkit.Netns;
import io.podnet.testkit.NetnsExtension;
import java.io.File;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NetnsExtension.class)
class FdLeakNetnsIT {

    static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @Test
    void tenThousandOperationsLeaveTheFdCountFlat(Netns a, Netns b) throws Exception {
        NetNs nsA = NetNs.named(a.name());
        NetNs nsB = NetNs.named(b.name());
        // warm up (class loading, thread-local buffers) before the baseline
        try (var h = Rtnetlink.open(nsA)) {
            h.links().list();
        }
        int before = openFds();
        int ops = 0;
        try (var h = Rtnetlink.open(nsA)) {
            h.links().add(LinkAttrs.named("l0"), LinkKind.Veth.peer("l0p"));
            while (ops < 10_000) {
                h.links().setUp("l0"); ops++;
                h.addresses().replace(Address.of("l0", "10.9." + (ops % 200) + ".1/24")); ops++;
                h.routes().replace(Route.device(IpPrefix.parse("10.123.0.0/24"), "l0")); ops++;
                h.routes().deleteIfPresent(Route.to(IpPrefix.parse("10.123.0.0/24"))); ops++;
                h.routes().deleteIfPresent(Route.to(IpPrefix.parse("10.124.0.0/24"))); ops++; // a failing request
                h.links().get("missing0"); ops++;
                h.links().setDown("l0"); ops++;
                if (ops % 700 == 0) {
                    h.links().add(LinkAttrs.named("l1"), LinkKind.Veth.peerIn("l1p", nsB)); ops++; // opens/closes an ns fd
                    h.links().delete("l1"); ops++;
                    try (var extra = Rtnetlink.open(nsB)) { // a handle opened in a foreign namespace and closed
                        extra.links().list();
                    }
                    ops++;
                    Namespaces.runIn(nsB, () -> null); ops++;
                }
            }
        }
        assertThat(openFds()).isLessThanOrEqualTo(before);
    }
}
