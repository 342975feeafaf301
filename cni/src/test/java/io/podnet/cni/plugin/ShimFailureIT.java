package io.podnet.cni.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cni.server.CniResponse;
import io.podnet.cni.server.CniServer;
import io.podnet.testkit.RunId;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way the shim ↔ agent path can fail, with the real shim binaries as subprocesses and a small fake agent
 * (a unix socket server in this test) for agents that hang, die or never read. In each case: exactly one CNI
 * error JSON on stdout, the right code, exit status 1, and an end within a bound set by the configured timeouts.
 */
class ShimFailureIT {
    static Path dir;
    static Path cBinary;
    static final String CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"n1\",\"type\":\"podnet\"}";
    static final long BOUND_MS = 30_000; // timeouts below are 1-2 s; a JVM start on a loaded 2-core machine is ~1-3 s

    @BeforeAll
    static void setUp() throws Exception {
        dir = Files.createTempDirectory(RunId.prefix() + "-shimfail");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // the nobody run needs to reach it
        cBinary = ShimRunner.compileC(dir);
    }

    @AfterAll
    static void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    static List<ShimRunner.Shim> shims() {
        return ShimRunner.shims(cBinary);
    }

    static Map<String, String> env(String cmd) {
        Map<String, String> e = ShimProcessIT.env(cmd, Path.of("unused"));
        e.remove(PluginMain.SOCKET_ENV);
        e.remove("CNI_ARGS");
        return e;
    }

    static Map<String, String> env(String cmd, Path socket, String... more) {
        Map<String, String> e = env(cmd);
        e.put(PluginMain.SOCKET_ENV, socket.toString());
        for (int i = 0; i < more.length; i += 2) e.put(more[i], more[i + 1]);
        return e;
    }

    static ShimRunner.Run run(ShimRunner.Shim shim, Map<String, String> env, String stdin) throws Exception {
        return ShimRunner.run(shim, List.of(), List.of(), env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    static Path sock(ShimRunner.Shim shim, String what) {
        return dir.resolve(what + "-" + shim.name() + ".sock");
    }

    /** A fake agent: accepts connections on a thread and does {@code behaviour} with each. */
    static final class FakeAgent implements AutoCloseable {
        interface Behaviour {
            void serve(SocketChannel c) throws IOException;
        }

        final ServerSocketChannel server;
        final Path path;
        final List<SocketChannel> held = new CopyOnWriteArrayList<>();
        final Thread acceptor;

        FakeAgent(Path path, int backlog, Behaviour b) throws IOException {
            this.path = path;
            Files.deleteIfExists(path);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path), backlog);
            acceptor = b == null ? null : Thread.ofPlatform().daemon().start(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel c = server.accept();
                        held.add(c);
                        b.serve(c);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (SocketChannel c : held) c.close();
            Files.deleteIfExists(path);
        }
    }

    @ParameterizedTest
    @MethodSource("shims")
    void anAgentThatNeverAcceptsIsAConnectTimeout(ShimRunner.Shim shim) throws Exception {
        try (FakeAgent agent = new FakeAgent(sock(shim, "noaccept"), 1, null)) {
            List<SocketChannel> filler = new ArrayList<>();
            try {
                // fill the listen backlog: the next connect blocks in the kernel (AF_UNIX has no SYN queue to drop into)
                for (int i = 0; i < 8; i++) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.configureBlocking(false);
                    filler.add(c);
                    try {
                        if (!c.connect(UnixDomainSocketAddress.of(agent.path))) break;
                    } catch (java.net.SocketException full) { // EAGAIN: the backlog is full now
                        break;
                    }
                }
                ShimRunner.Run r = run(shim, env("ADD", agent.path, "PODNET_AGENT_CONNECT_TIMEOUT", "1"), CONF);
                assertThat(r.error(11).path("msg").asText()).contains("connect timed out");
                assertThat(r.millis()).isLessThan(BOUND_MS);
            } finally {
                for (SocketChannel c : filler) c.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("shims")
    void aHungAgentIsAnAnswerTimeoutFromTheConfig(ShimRunner.Shim shim) throws Exception {
        try (FakeAgent agent = new FakeAgent(sock(shim, "hung"), 50, ShimFrames::readRequest)) { // reads, never answers
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n1\",\"type\":\"podnet\",\"agentSocket\":\"" + agent.path
                    + "\",\"agentTimeout\":1.5}";
            ShimRunner.Run r = run(shim, env("DEL"), conf);
            JsonNode e = r.error(11);
            assertThat(e.path("msg").asText()).contains("did not answer within 1.5 s");
            assertThat(e.path("cniVersion").asText()).isEqualTo("1.0.0");
            assertThat(r.millis()).isLessThan(BOUND_MS);
            ShimRunner.Run s = run(shim, env("STATUS", agent.path, "PODNET_AGENT_TIMEOUT", "1"), CONF.replace("1.0.0", "1.1.0"));
            s.error(50);
        }
    }

    @ParameterizedTest
    @MethodSource("shims")
    void anAgentDyingMidAnswerGivesOneErrorDocumentNotTwo(ShimRunner.Shim shim) throws Exception {
        byte[] result = "{\"cniVersion\":\"1.0.0\",\"ips\":[]}".getBytes(StandardCharsets.UTF_8);
        try (FakeAgent agent = new FakeAgent(sock(shim, "dying"), 50, c -> {
            ShimFrames.readRequest(c);
            ByteBuffer b = ByteBuffer.allocate(64 + result.length);
            b.put("PNR1".getBytes(StandardCharsets.US_ASCII)).putInt(0).putInt(result.length).put(result).putInt(100).put("abc".getBytes());
            c.write(b.flip());
            c.close(); // stderr cut after 3 of 100 bytes
        })) {
            ShimRunner.Run r = run(shim, env("ADD", agent.path), CONF);
            assertThat(r.error(11).path("msg").asText()).contains("failed mid-request");
            assertThat(r.stdout()).doesNotContain("\"ips\"");
        }
    }

    @ParameterizedTest
    @MethodSource("shims")
    void anAgentClosingWhileTheShimWritesIsNoSigpipe(ShimRunner.Shim shim) throws Exception {
        try (FakeAgent agent = new FakeAgent(sock(shim, "closer"), 50, SocketChannel::close)) {
            String big = "{\"cniVersion\":\"1.0.0\",\"name\":\"n1\",\"type\":\"podnet\",\"pad\":\"" + "x".repeat(8 << 20) + "\"}";
            ShimRunner.Run r = run(shim, env("ADD", agent.path), big);
            assertThat(r.exit()).as("killed by a signal would be 128+13: " + r).isEqualTo(1);
            assertThat(r.error(11).path("msg").asText()).contains("failed mid-request");
        }
    }

    @ParameterizedTest
    @MethodSource("shims")
    void inputOverTheFrameLimitIsOneInvalidConfigErrorAndNeverReachesTheAgent(ShimRunner.Shim shim) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (CniServer server = CniServer.start(sock(shim, "limit"), req -> {
            seen.add(req.containerId());
            return CniResponse.ok();
        })) {
            byte[] huge = new byte[ShimFrames.MAX_PART + 1];
            Arrays.fill(huge, (byte) ' ');
            byte[] head = CONF.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(head, 0, huge, 0, head.length);
            ShimRunner.Run r = ShimRunner.run(shim, List.of(), List.of(), env("ADD", server.socketPath()), huge);
            JsonNode e = r.error(7);
            assertThat(e.path("msg").asText()).contains("16 MiB");
            assertThat(e.path("cniVersion").asText()).isEqualTo("1.0.0");
            assertThat(r.millis()).isLessThan(BOUND_MS);
        }
        assertThat(seen).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("shims")
    void permanentSocketErrorsAreNotTryAgain(ShimRunner.Shim shim) throws Exception {
        String longPath = "/tmp/" + "a".repeat(120) + ".sock";
        run(shim, env("ADD", Path.of(longPath)), CONF).error(4); // from the environment: invalid environment variable
        assertThat(run(shim, env("ADD"), CONF.replace("}", ",\"agentSocket\":\"" + longPath + "\"}")).error(7)
                .path("msg").asText()).contains("too long");
        Path file = Files.writeString(dir.resolve("plain-" + shim.name()), "not a socket");
        assertThat(run(shim, env("ADD", file), CONF).error(4).path("msg").asText()).contains("not a unix socket");
        assertThat(run(shim, env("ADD"), CONF.replace("}", ",\"agentSocket\":\"" + file + "\"}")).error(7)
                .path("msg").asText()).contains("not a unix socket");
        run(shim, env("ADD", file.resolve("below")), CONF).error(4); // ENOTDIR
        run(shim, env("ADD"), CONF.replace("}", ",\"agentSocket\":42}")).error(7);
        run(shim, env("ADD"), CONF.replace("}", ",\"agentTimeout\":\"soon\"}")).error(7);
        run(shim, env("ADD", file, "PODNET_AGENT_TIMEOUT", "-1"), CONF).error(4);
        // the agent is not running: transient, try again (no socket, or a socket nobody listens on)
        assertThat(run(shim, env("ADD", dir.resolve("absent.sock")), CONF).error(11).path("msg").asText()).contains("no such socket");
    }

    @ParameterizedTest
    @MethodSource("shims")
    void permissionDeniedIsAnIoFailureNotTryAgain(ShimRunner.Shim shim) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run the shim as user nobody");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        if (shim.name().equals("java")) {
            assumeTrue(Files.isReadable(Path.of(shim.command().get(4))) && isWorldReadable(Path.of(shim.command().get(4))),
                    "the test classes are not readable by nobody here");
        }
        try (CniServer server = CniServer.start(sock(shim, "perm"), req -> CniResponse.ok())) { // mode 0600, owned by root
            ShimRunner.Run r = ShimRunner.run(shim, List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                    List.of(), env("ADD", server.socketPath()), CONF.getBytes(StandardCharsets.UTF_8));
            assertThat(r.error(5).path("msg").asText()).contains("permission denied");
        }
    }

    private static boolean isWorldReadable(Path p) {
        for (Path q = p.toAbsolutePath(); q != null; q = q.getParent()) {
            try {
                if (!PosixFilePermissions.toString(Files.getPosixFilePermissions(q)).substring(6).startsWith("r")) return false;
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
