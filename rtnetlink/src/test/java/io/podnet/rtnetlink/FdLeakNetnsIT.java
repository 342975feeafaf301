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
            while (ops < 10_000) {
                String n = "l" + (ops % 50);
                h.links().add(LinkAttrs.named(n), LinkKind.Veth.peerIn(n + "p", nsB)); ops++;   // opens and closes an ns fd
                h.links().setUp(n); ops++;
                h.addresses().replace(Address.of(n, "10.9." + (ops % 200) + ".1/24")); ops++;
                h.routes().deleteIfPresent(Route.to(IpPrefix.parse("10.123.0.0/24"))); ops++;  // a failing request
                h.links().get("missing0"); ops++;
                h.links().delete(n); ops++;
                if (ops % 600 == 0) {
                    try (var extra = Rtnetlink.open(nsB)) { // a handle opened in a foreign namespace and closed
                        extra.links().list();
                    }
                    ops++;
                    nsB.run(() -> null); ops++;
                }
            }
        }
        assertThat(openFds()).isLessThanOrEqualTo(before);
    }
}
