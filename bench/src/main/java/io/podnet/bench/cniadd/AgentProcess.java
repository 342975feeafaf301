package io.podnet.bench.cniadd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The podnet agent as a child JVM ({@code io.podnet.cli.Main agent}) with CniDispatcher logging at FINE to a
 * file, so the agent-side time of each request can be read back. Stopped (by PID) on close. The log lives on
 * tmpfs ({@code /dev/shm} when present): on the disk, appending a line can wait for a journal commit (the
 * agent's own IPAM fsync), which would add the measuring channel's cost to the measured time.
 */
record AgentProcess(Process process, Path socket, Path log) implements AutoCloseable {

    static AgentProcess start(Path dir, String classPath) throws IOException, InterruptedException {
        if (classPath == null) throw new IllegalArgumentException("-Dpodnet.cli.cp=<cli jar and libs> is required");
        Path props = dir.resolve("logging.properties");
        Files.writeString(props, """
                handlers=java.util.logging.FileHandler
                java.util.logging.FileHandler.pattern=%s
                java.util.logging.FileHandler.level=FINE
                java.util.logging.FileHandler.formatter=java.util.logging.SimpleFormatter
                java.util.logging.SimpleFormatter.format=%%4$s %%5$s%%n
                .level=INFO
                io.podnet.agent.cni.CniDispatcher.level=FINE
                io.podnet.agent.cni.BridgeCniHandler.level=%s
                """.formatted(logFile(dir), Boolean.getBoolean("podnet.bench.phases") ? "FINE" : "INFO"));
        Path socket = dir.resolve("cni.sock");
        // the JVM flags of bin/podnet (SerialGC and -Dpodnet.bench.launcherOpts, which bench/cni-add.sh fills from
        // scripts/common.sh podnet_jvm_opts agent), plus -Dpodnet.bench.agentOpts="..." (like PODNET_JAVA_OPTS)
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"));
        for (String prop : List.of("podnet.bench.launcherOpts", "podnet.bench.agentOpts")) {
            String extra = System.getProperty(prop, "").strip();
            if (!extra.isEmpty()) cmd.addAll(List.of(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-Djava.util.logging.config.file=" + props, "-cp", classPath, "io.podnet.cli.Main", "agent",
                "--state-dir", dir.resolve("state").toString(), "--cni-socket", socket.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("agent.out").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > end) {
                p.destroyForcibly();
                throw new IOException("agent did not start: " + Files.readString(dir.resolve("agent.out")));
            }
            Thread.sleep(20);
        }
        return new AgentProcess(p, socket, logFile(dir));
    }

    static Path logFile(Path dir) {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? shm.resolve(dir.getFileName() + "-agent.log") : dir.resolve("agent.log");
    }

    long logSize() throws IOException { return Files.exists(log) ? Files.size(log) : 0; }

    long[][] agentTimes(long fromOffset) throws IOException {
        return CniAddBench.parseTimes(since(fromOffset));
    }

    String since(long fromOffset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) fromOffset, all.length - (int) fromOffset, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        Files.deleteIfExists(log);
        Files.deleteIfExists(log.resolveSibling(log.getFileName() + ".lck"));
    }
}
