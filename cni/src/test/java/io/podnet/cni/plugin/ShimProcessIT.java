package io.podnet.cni.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.config.Json;
import io.podnet.cni.result.CniResult;
import io.podnet.cni.result.IpConfig;
import io.podnet.cni.server.CniResponse;
import io.podnet.cni.server.CniServer;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import io.podnet.testkit.RunId;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the shim as a real subprocess, as a runtime does: the Java {@link PluginMain} and the C forwarder
 * (compiled here with gcc when it is installed), against an in-test {@link CniServer} with a fake handler.
 */
class ShimProcessIT {
    static Path dir;
    static Path cBinary;

    record Shim(String name, List<String> command) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Run(int exit, String stdout, String stderr) {}

    @BeforeAll
    static void setUp() throws Exception {
        dir = Files.createTempDirectory(RunId.prefix() + "-shim");
        if (new File("/usr/bin/gcc").canExecute()) {
            cBinary = dir.resolve("podnet");
            Process p = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", cBinary.toString(), "src/main/c/podnet-cni.c")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("gcc: " + out).isZero();
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    static List<Shim> shims() {
        List<Shim> out = new ArrayList<>();
        for (ShimRunner.Shim s : ShimRunner.shims(cBinary)) out.add(new Shim(s.name(), s.command()));
        return out;
    }

    static Run run(Shim shim, List<String> extraArgs, Map<String, String> env, String stdin) throws Exception {
        List<String> cmd = new ArrayList<>(shim.command());
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("CNI_") || k.startsWith("PODNET_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new Run(p.exitValue(), out, err);
        } finally {
            p.destroyForcibly();
        }
    }

    static Map<String, String> env(String cmd, Path socket) {
        Map<String, String> e = new HashMap<>();
        e.put("CNI_COMMAND", cmd);
        e.put("CNI_CONTAINERID", "ctr1");
        e.put("CNI_NETNS", "/run/netns/ctr1");
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", "/opt/cni/bin");
        e.put("CNI_ARGS", "IgnoreUnknown=1;IP=10.5.0.9");
        e.put(PluginMain.SOCKET_ENV, socket.toString());
        return e;
    }

    static final String CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"n1\",\"type\":\"podnet\"}";

    @ParameterizedTest
    @MethodSource("shims")
    void answersVersionWithoutAnAgent(Shim shim) throws Exception {
        Run r = run(shim, List.of(), env("VERSION", dir.resolve("none.sock")), "{\"cniVersion\":\"0.4.0\"}");
        assertThat(r.exit).isZero();
        var n = Json.MAPPER.readTree(r.stdout);
        assertThat(n.get("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(n.get("supportedVersions").toString()).isEqualTo("[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]");
        Run empty = run(shim, List.of(), env("VERSION", dir.resolve("none.sock")), "");
        assertThat(Json.MAPPER.readTree(empty.stdout).get("cniVersion").asText()).isEqualTo("1.1.0");
    }

    @ParameterizedTest
    @MethodSource("shims")
    void withoutAnAgentEveryCommandSaysTryAgainAndStatusSaysNotAvailable(Shim shim) throws Exception {
        Path missing = dir.resolve("missing.sock");
        for (String cmd : List.of("ADD", "DEL", "CHECK", "GC")) {
            Run r = run(shim, List.of(), env(cmd, missing), CONF);
            assertThat(r.exit).as(cmd).isEqualTo(1);
            var n = Json.MAPPER.readTree(r.stdout);
            assertThat(n.get("code").asInt()).as(cmd).isEqualTo(CniErrorCode.TRY_AGAIN_LATER.code());
            assertThat(n.get("msg").asText()).contains(missing.toString());
            assertThat(n.get("cniVersion").asText()).isEqualTo("1.0.0");
        }
        Run s = run(shim, List.of(), env("STATUS", missing), "{\"cniVersion\":\"1.1.0\",\"name\":\"n1\",\"type\":\"podnet\"}");
        assertThat(s.exit).isEqualTo(1);
        assertThat(Json.MAPPER.readTree(s.stdout).get("code").asInt()).isEqualTo(50);
    }

    @ParameterizedTest
    @MethodSource("shims")
    void aDeadSocketFileIsAlsoTryAgain(Shim shim) throws Exception {
        Path stale = dir.resolve("stale-" + shim.name + ".sock");
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(stale));
        } // closed: the file stays, nobody listens
        Run r = run(shim, List.of(), env("ADD", stale), CONF);
        assertThat(Json.MAPPER.readTree(r.stdout).get("code").asInt()).isEqualTo(11);
        Files.deleteIfExists(stale);
    }

    @ParameterizedTest
    @MethodSource("shims")
    void roundTripsThroughTheAgent(Shim shim) throws Exception {
        Path sock = dir.resolve("agent-" + shim.name + ".sock");
        List<CniRequest> seen = new CopyOnWriteArrayList<>();
        try (CniServer server = CniServer.start(sock, req -> {
            seen.add(req);
            return switch (req.command()) {
                case ADD -> CniResponse.result(new CniResult(List.of(), List.of(IpConfig.of(Cidr.parse(req.requestedIps().get(0) + "/24"),
                        Optional.of(IpAddress.parse("10.5.0.1")))), List.of(), Optional.empty()), req.conf().version());
                case DEL -> new CniResponse(0, new byte[0], "released\n".getBytes());
                case CHECK -> throw new CniException(CniErrorCode.CHECK_FAILED, "eth0 missing", "ctr1");
                default -> CniResponse.ok();
            };
        })) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
            Run add = run(shim, List.of(), env("ADD", sock), CONF);
            assertThat(add.exit).as(add.stdout + add.stderr).isZero();
            var n = Json.MAPPER.readTree(add.stdout);
            assertThat(n.get("cniVersion").asText()).isEqualTo("1.0.0");
            assertThat(n.get("ips").get(0).get("address").asText()).isEqualTo("10.5.0.9/24");

            Run del = run(shim, List.of(), env("DEL", sock), CONF);
            assertThat(del.exit).isZero();
            assertThat(del.stdout).isEmpty();
            assertThat(del.stderr).isEqualTo("released\n");

            Run check = run(shim, List.of(), env("CHECK", sock), CONF);
            assertThat(check.exit).isEqualTo(1);
            assertThat(Json.MAPPER.readTree(check.stdout).get("code").asInt()).isEqualTo(104);

            Run bad = run(shim, List.of(), env("ADD", sock), "{\"cniVersion\":\"0.2.0\",\"name\":\"n1\",\"type\":\"podnet\"}");
            assertThat(bad.exit).isEqualTo(1);
            assertThat(Json.MAPPER.readTree(bad.stdout).get("code").asInt()).isEqualTo(1);

            Run ipam = run(shim, List.of("podnet-ipam"), env("DEL", sock), CONF);
            assertThat(ipam.exit).isZero();
        }
        assertThat(seen).extracting(CniRequest::command).extracting(Enum::name).containsExactly("ADD", "DEL", "CHECK", "DEL");
        assertThat(seen.get(0).plugin()).isEqualTo(shim.name.equals("c") ? "podnet" : "podnet");
        assertThat(seen.get(3).isIpamPlugin()).isTrue();
        assertThat(seen.get(0).args().ips()).containsExactly("10.5.0.9");
        assertThat(Files.exists(sock)).isFalse();
    }

    @Test
    void theShimLoadsNoJacksonClass() throws Exception {
        Shim java = shims().get(0);
        List<String> cmd = new ArrayList<>(java.command());
        cmd.add(1, "-verbose:class");
        Run r = run(new Shim("java-verbose", cmd), List.of(), env("ADD", dir.resolve("none.sock")), CONF);
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.stdout).doesNotContain("com.fasterxml").doesNotContain("io.podnet.net").contains("io.podnet.cni.plugin.PluginMain");
    }
}
