package io.podnet.cni.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.config.Json;
import io.podnet.cni.plugin.ShimFrames;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniServerTest {
    static final byte[] CONF = "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"podnet\"}".getBytes();

    static ShimFrames.Response call(Path sock, String cmd, String cid) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", cmd);
        env.put("CNI_CONTAINERID", cid);
        env.put("CNI_NETNS", "/run/netns/" + cid);
        env.put("CNI_IFNAME", "eth0");
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            ShimFrames.writeRequest(ch, env, CONF);
            return ShimFrames.readResponse(ch);
        }
    }

    static CompletableFuture<ShimFrames.Response> async(Path sock, String cmd, String cid) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call(sock, cmd, cid);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, VIRTUAL);
    }

    /** The common pool has parallelism 1 on a 2-CPU machine; give each call its own thread. */
    static final java.util.concurrent.Executor VIRTUAL = r -> Thread.ofVirtual().start(r);

    static void await(java.util.function.BooleanSupplier cond) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached within 10 s");
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll, bounded by the deadline
        }
    }

    @Test
    void differentContainersAreHandledInParallel(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("cni.sock");
        CyclicBarrier both = new CyclicBarrier(2);
        try (CniServer s = CniServer.start(sock, req -> {
            try {
                both.await(10, TimeUnit.SECONDS); // only passes if two handlers run at once
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return CniResponse.ok();
        })) {
            var a = async(sock, "ADD", "c1");
            var b = async(sock, "ADD", "c2");
            assertThat(a.get(20, TimeUnit.SECONDS).exitCode).isZero();
            assertThat(b.get(20, TimeUnit.SECONDS).exitCode).isZero();
        }
    }

    @Test
    void requestsForOneContainerAreSerialised(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("cni.sock");
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger maxInside = new AtomicInteger();
        try (CniServer s = CniServer.start(sock, req -> {
            entered.incrementAndGet();
            maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            return CniResponse.ok();
        })) {
            var first = async(sock, "ADD", "same");
            await(() -> entered.get() == 1);
            var second = async(sock, "DEL", "same");
            await(() -> s.queued("same") == 1);
            assertThat(entered.get()).isEqualTo(1);
            release.countDown();
            assertThat(first.get(20, TimeUnit.SECONDS).exitCode).isZero();
            assertThat(second.get(20, TimeUnit.SECONDS).exitCode).isZero();
            assertThat(maxInside.get()).isEqualTo(1);
            await(() -> s.busyKeys() == 0);
        }
    }

    @Test
    void handlerFailuresBecomeCniErrors(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("cni.sock");
        try (CniServer s = CniServer.start(sock, req -> {
            throw new IllegalStateException("boom");
        })) {
            var r = call(sock, "ADD", "c1");
            assertThat(r.exitCode).isEqualTo(1);
            var n = Json.MAPPER.readTree(r.stdout);
            assertThat(n.get("code").asInt()).isEqualTo(100);
            assertThat(n.get("cniVersion").asText()).isEqualTo("1.1.0");
            var v = call(sock, "VERSION", "c1");
            assertThat(Json.MAPPER.readTree(v.stdout).get("supportedVersions").size()).isEqualTo(5);
            var bad = call(sock, "ADD", "-bad-");
            assertThat(Json.MAPPER.readTree(bad.stdout).get("code").asInt()).isEqualTo(4);
        }
    }

    @Test
    void replacesAStaleSocketButNotALiveOne(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("sub/cni.sock");
        Files.createDirectories(sock.getParent());
        try (var ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(sock));
        }
        assertThat(Files.exists(sock)).isTrue();
        try (CniServer s = CniServer.start(sock, req -> CniResponse.ok())) {
            assertThat(call(sock, "DEL", "c1").exitCode).isZero();
            assertThatThrownBy(() -> CniServer.start(sock, req -> CniResponse.ok())).isInstanceOf(IOException.class)
                    .hasMessageContaining("already listening");
            assertThat(call(sock, "DEL", "c1").exitCode).isZero();
        }
        try (var files = Files.list(sock.getParent())) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void malformedFramesAreDroppedWithoutKillingTheServer(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("cni.sock");
        try (CniServer s = CniServer.start(sock, req -> CniResponse.ok())) {
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                ch.write(java.nio.ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes()));
                ch.shutdownOutput();
                int n;
                try {
                    n = ch.read(java.nio.ByteBuffer.allocate(16));
                } catch (IOException reset) {
                    n = -1; // the server closed with our bytes unread: RST, equally a refusal
                }
                assertThat(n).isEqualTo(-1);
            }
            assertThat(call(sock, "DEL", "c1").exitCode).isZero();
        }
    }
}
