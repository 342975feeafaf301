package io.podnet.bench.agentmem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agent exactly as a node starts it: {@code bin/podnet agent ...} (the launcher execs the JVM, so the
 * child's PID is the agent's), with {@code PODNET_JAVA_OPTS} carrying only what the benchmark adds (NMT, and
 * whatever flags are being compared). Ready = the agent printed its "ready" line (after {@code Agent.start}
 * returned: CNI socket served and, in overlay mode, the lease held, the backend device up and subnet.env
 * written) and the files a runtime needs exist. Stopped by PID (SIGTERM) on close.
 *
 * @param process    the agent JVM
 * @param readyNanos start to ready
 */
record AgentLaunch(Process process, long readyNanos, Path log) implements AutoCloseable {

    static AgentLaunch start(Path podnet, Mode mode, Path dir, String etcdUrl, String javaOpts) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(podnet.toString(), "agent"));
        cmd.addAll(mode.agentArgs(dir, etcdUrl));
        String extra = System.getProperty("podnet.bench.agentArgs", "").strip();
        if (!extra.isEmpty()) cmd.addAll(List.of(extra.split("\\s+")));
        Path log = dir.resolve("agent.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("PODNET_JAVA_OPTS", javaOpts);
        if (mode.docker) Files.createDirectories(Mode.dockerSocket(dir).getParent());
        long t0 = System.nanoTime();
        Process p = pb.start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (!ready(mode, dir, log)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("agent (" + mode.label + ") did not get ready: " + Files.readString(log));
            }
            Thread.sleep(2);
        }
        return new AgentLaunch(p, System.nanoTime() - t0, log);
    }

    private static boolean ready(Mode mode, Path dir, Path log) throws IOException {
        if (!Files.exists(dir.resolve("cni.sock"))) return false;
        if (mode.overlay() && !Files.exists(dir.resolve("subnet.env"))) return false;
        if (mode.docker && !Files.exists(Mode.dockerSocket(dir))) return false;
        return Files.readString(log).contains(" ready (CNI socket ");
    }

    long pid() { return process.pid(); }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
