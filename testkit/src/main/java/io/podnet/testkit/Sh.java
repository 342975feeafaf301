package io.podnet.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external commands for tests (iproute2, ping, nft ...). Output is captured; nothing is swallowed. */
public final class Sh {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Sh() {}

    /** The result of one command. */
    public record Result(List<String> command, int exit, String out, String err) {
        public boolean ok() { return exit == 0; }

        public Result check() {
            if (exit != 0) throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ": " + err + out);
            return this;
        }
    }

    public static Result run(String... command) {
        return run(List.of(command), 60);
    }

    public static Result run(List<String> command, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            byte[][] errBuf = new byte[1][];
            Thread errReader = Thread.ofPlatform().start(() -> {
                try {
                    errBuf[0] = err.readAllBytes();
                } catch (IOException e) {
                    errBuf[0] = new byte[0];
                }
            });
            byte[] o = out.readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            errReader.join();
            return new Result(List.copyOf(command), p.exitValue(), new String(o, StandardCharsets.UTF_8),
                    new String(errBuf[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs and requires exit 0; returns stdout. */
    public static String check(String... command) {
        return run(command).check().out();
    }

    /** Runs {@code ip -j [-n ns] args...} and parses the JSON array it prints. */
    public static JsonNode ipJson(String netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-j", "-d"));
        if (netns != null) cmd.addAll(List.of("-n", netns));
        cmd.addAll(List.of(args));
        String out = run(cmd, 30).check().out();
        try {
            return JSON.readTree(out.isBlank() ? "[]" : out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code ip [-n ns] args...} (no JSON), requiring success. */
    public static String ip(String netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (netns != null) cmd.addAll(List.of("-n", netns));
        cmd.addAll(List.of(args));
        return run(cmd, 30).check().out();
    }

    /** True if a binary is on the PATH. */
    public static boolean has(String binary) {
        return run("sh", "-c", "command -v " + binary).ok();
    }
}
