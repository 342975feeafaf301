package io.podnet.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test agent main (one that prints {@code READY} on stdout when it serves) as a child JVM inside a
 * network namespace, with this test's class path; stderr goes to {@code <dir>/agent.log}. {@code ip netns exec}
 * execs java, so the child's PID is the JVM's and {@code destroyForcibly} is a kill -9 of the agent.
 */
public final class AgentJvm {
    private AgentJvm() {}

    /** Starts {@code main} with {@code args}, logging {@code debugLogger} at FINE; returns once it is READY. */
    public static Process start(String netns, Path dir, String debugLogger, Class<?> main, List<String> args) throws IOException {
        return start(netns, dir, debugLogger, main, List.of(), args);
    }

    /** As {@link #start(String, Path, String, Class, List)} with extra JVM options (e.g. a fixed, pre-touched heap). */
    public static Process start(String netns, Path dir, String debugLogger, Class<?> main, List<String> jvmOptions, List<String> args)
            throws IOException {
        Path logProps = dir.resolve("logging.properties");
        Files.writeString(logProps, """
                handlers=java.util.logging.ConsoleHandler
                java.util.logging.ConsoleHandler.level=FINE
                .level=INFO
                %s.level=FINE
                """.formatted(debugLogger));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", "-Djava.util.logging.config.file=" + logProps));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start();
        var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> { // own thread: the common pool may be busy with the test's work
            try {
                ready.complete(reader.readLine());
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        });
        try {
            String line = ready.get(180, TimeUnit.SECONDS); // a JVM start on a 2-core machine at load 25+ can take a minute
            if (!"READY".equals(line)) throw new IllegalStateException("agent printed " + line + " instead of READY");
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("agent did not start: " + e + "\n" + log(dir), e);
        }
        return p;
    }

    /** The agent's log so far (for failure messages). */
    public static String log(Path dir) {
        try {
            Path f = dir.resolve("agent.log");
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
