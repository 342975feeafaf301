package io.podnet.ipam.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A handle is live while its record exists and the recorded namespace path is still there. */
class NetnsLivenessTest {
    @TempDir
    Path dir;

    @Test
    void liveWhileTheNamespaceExists() throws Exception {
        Path ns = Files.createFile(dir.resolve("netns-a"));
        NetnsLiveness l = new NetnsLiveness(dir.resolve("live"));
        l.record("k8s-pod-network.a", ns.toString());
        l.record("k8s-pod-network.b", dir.resolve("never").toString());
        IpAddress ip = IpAddress.parse("10.0.0.1");
        var v = l.snapshot();
        assertThat(v.holds("k8s-pod-network.a", ip, Map.of())).isTrue();
        assertThat(v.holds("k8s-pod-network.b", ip, Map.of())).isFalse();
        assertThat(v.holds("k8s-pod-network.unknown", ip, Map.of())).isFalse();
        Files.delete(ns); // the container went away without DEL
        assertThat(l.snapshot().holds("k8s-pod-network.a", ip, Map.of())).isFalse();
        l.forget("k8s-pod-network.a");
        assertThat(Files.list(dir.resolve("live")).map(p -> p.getFileName().toString())).containsExactly("k8s-pod-network.b");
    }
}
