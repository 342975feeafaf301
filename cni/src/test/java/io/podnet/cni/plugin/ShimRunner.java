package io.podnet.cni.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.cni.config.Json;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Executes the two shims (the Java {@link PluginMain} and the C forwarder, compiled here with gcc) as a runtime
 * does: a clean CNI_* environment, the config on stdin, stdout/stderr/exit collected, wall time measured.
 */
final class ShimRunner {
    /** One shim binary (argv prefix). */
    record Shim(String name, List<String> command) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One execution. */
    record Run(int exit, String stdout, String stderr, long millis) {
        /** The single JSON document on stdout (fails if there are none, two, or trailing bytes). */
        JsonNode single() throws IOException {
            try (JsonParser p = Json.MAPPER.createParser(stdout)) {
                JsonNode n = Json.MAPPER.readTree(p);
                assertThat(n).as("a JSON document on stdout: " + this).isNotNull();
                assertThat(p.nextToken()).as("exactly one JSON document on stdout: " + this).isNull();
                return n;
            }
        }

        /** Asserts the CNI error contract: exit 1, one error JSON with this code. Returns the document. */
        JsonNode error(int code) throws IOException {
            assertThat(exit).as("exit status: " + this).isEqualTo(1);
            JsonNode n = single();
            assertThat(n.path("code").asInt(-1)).as("code: " + this).isEqualTo(code);
            assertThat(n.path("msg").isTextual()).as("msg: " + this).isTrue();
            return n;
        }
    }

    /** A shim still running after this is a hang (the configured timeouts in the tests are 1-2 s). */
    static final int EXIT_LIMIT_SECONDS = 60;

    private ShimRunner() {}

    /** Compiles the C forwarder into {@code dir} (world-readable and executable); null without gcc. */
    static Path compileC(Path dir) throws Exception {
        if (!new File("/usr/bin/gcc").canExecute()) return null;
        Path out = dir.resolve("podnet");
        Process p = new ProcessBuilder("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", out.toString(), "src/main/c/podnet-cni.c")
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("gcc: " + log).isZero();
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
        return out;
    }

    static List<Shim> shims(Path cBinary) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(PluginMain.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<Shim> out = new ArrayList<>();
        out.add(new Shim("java", List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classes, PluginMain.class.getName())));
        if (cBinary != null) out.add(new Shim("c", List.of(cBinary.toString())));
        return out;
    }

    static Run run(Shim shim, List<String> prefix, List<String> extraArgs, Map<String, String> env, byte[] stdin) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(shim.command());
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("CNI_") || k.startsWith("PODNET_"));
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
                try (var in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // the shim stopped reading (input over the limit) or exited early: that is its answer
                }
            });
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            assertThat(p.waitFor(EXIT_LIMIT_SECONDS, TimeUnit.SECONDS)).as("the shim exits within " + EXIT_LIMIT_SECONDS + " s").isTrue();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            feed.get(30, TimeUnit.SECONDS);
            return new Run(p.exitValue(), new String(out.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                    new String(err.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8), ms);
        } finally {
            p.destroyForcibly();
        }
    }
}
