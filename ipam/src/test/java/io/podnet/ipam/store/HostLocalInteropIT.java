package io.podnet.ipam.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.podnet.ipam.Owner;
import io.podnet.net.IpAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store and the reference host-local binary take turns on one directory and agree on every reservation. */
class HostLocalInteropIT {
    static final Path HOST_LOCAL = Path.of("/usr/lib/cni/host-local");

    @TempDir
    Path dir;

    String hostLocal(String cmd, String cid) throws Exception {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"hl\",\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\","
                + "\"ranges\":[[{\"subnet\":\"10.44.0.0/24\"}]],\"dataDir\":\"" + dir + "\"}}";
        ProcessBuilder pb = new ProcessBuilder(HOST_LOCAL.toString());
        pb.environment().putAll(java.util.Map.of("CNI_COMMAND", cmd, "CNI_CONTAINERID", cid, "CNI_NETNS", "/dev/null",
                "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"));
        Process p = pb.start();
        try {
            p.getOutputStream().write(conf.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sharesTheOnDiskFormatWithHostLocal() throws Exception {
        assumeTrue(Files.isExecutable(HOST_LOCAL), "needs containernetworking-plugins (/usr/lib/cni/host-local)");
        assertThat(hostLocal("ADD", "hl1")).contains("10.44.0.2/24");
        hostLocal("ADD", "hl2");
        var sets = LocalIpamStoreTest.sets("[[{\"subnet\":\"10.44.0.0/24\"}]]");
        try (var s = LocalIpamStore.open(dir.resolve("hl"), true)) {
            assertThat(s.reservations()).containsEntry(IpAddress.parse("10.44.0.2"), new Owner("hl1", "eth0"))
                    .containsEntry(IpAddress.parse("10.44.0.3"), new Owner("hl2", "eth0"));
            assertThat(s.allocate(new Owner("pn1", "eth0"), sets, List.of())).as("continues host-local's round robin")
                    .containsExactly(IpAddress.parse("10.44.0.4"));
            assertThat(s.release(new Owner("hl1", "eth0"))).containsExactly(IpAddress.parse("10.44.0.2"));
        }
        assertThat(hostLocal("ADD", "hl3")).as("host-local skips our reservation").contains("10.44.0.5/24");
        hostLocal("DEL", "pn1"); // host-local releases what we allocated
        try (var s = LocalIpamStore.open(dir.resolve("hl"), true)) {
            assertThat(s.reservations().values()).containsExactlyInAnyOrder(new Owner("hl2", "eth0"), new Owner("hl3", "eth0"));
        }
    }
}
