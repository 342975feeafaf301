package io.podnet.agent.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test bed shared by the CNI acceptance tests: a temp dir, the C shim compiled into {@code bin/} (with the
 * podnet-ipam symlink), a throwaway "host" namespace and the agent as a child JVM inside it (so its bridge,
 * sysctls and nft tables live there). Everything carries the RunId prefix and is removed by {@link #close()}.
 */
final class CniTestBed implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final Path dir;
    final Path bin;
    final Path shim;
    final Path socket;
    final Path stateDir;
    final Path ipamDir;
    final Netns host;
    private final List<Netns> pods = new ArrayList<>();
    private Process agent;

    /** The outcome of one plugin execution. */
    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (exit " + exit + "): " + out + " / " + err, e);
            }
        }

        int code() { return json().path("code").asInt(-1); }

        @Override
        public String toString() { return "exit " + exit + " out=" + out + " err=" + err; }
    }

    CniTestBed() throws IOException {
        dir = Files.createTempDirectory(RunId.prefix() + "-cni");
        bin = Files.createDirectories(dir.resolve("bin"));
        shim = bin.resolve("podnet");
        socket = dir.resolve("cni.sock");
        stateDir = dir.resolve("state");
        ipamDir = dir.resolve("ipam");
        compileShim(shim);
        Files.createSymbolicLink(bin.resolve("podnet-ipam"), Path.of("podnet"));
        host = Netns.create("h");
        Sh.ip(host.name(), "link", "set", "lo", "up");
    }

    static void compileShim(Path out) {
        Path src = Path.of("../cni/src/main/c/podnet-cni.c").toAbsolutePath().normalize();
        Sh.run(List.of("gcc", "-O2", "-Wall", "-o", out.toString(), src.toString()), 120).check();
    }

    /** Starts (or restarts) the agent JVM inside the host namespace; returns when it serves. */
    Process startAgent() throws IOException {
        return startAgent(List.of());
    }

    /** Starts (or restarts) the agent with extra JVM options. */
    Process startAgent(List<String> jvmOptions) throws IOException {
        agent = io.podnet.agent.AgentJvm.start(host.name(), dir, "io.podnet.agent.cni.CniDispatcher", AgentTestMain.class, jvmOptions,
                List.of(stateDir.toString(), socket.toString()));
        return agent;
    }

    /** Starts the agent with the settings of an agent.yaml (state dir and socket still this bed's). */
    Process startAgent(Path config) throws IOException {
        agent = io.podnet.agent.AgentJvm.start(host.name(), dir, "io.podnet.agent.cni.CniDispatcher", AgentTestMain.class, List.of(),
                List.of(stateDir.toString(), socket.toString(), config.toString()));
        return agent;
    }

    /** The agent JVM's PID. */
    long agentPid() {
        return agent.pid();
    }

    String agentLog() {
        return io.podnet.agent.AgentJvm.log(dir);
    }

    /** kill -9 of the agent JVM (by its PID, which is the java process: ip netns exec execs it). */
    void killAgent() throws InterruptedException {
        agent.destroyForcibly();
        agent.waitFor(30, TimeUnit.SECONDS);
    }

    void stopAgent() throws InterruptedException {
        if (agent == null || !agent.isAlive()) return;
        try {
            agent.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        if (!agent.waitFor(15, TimeUnit.SECONDS)) killAgent();
    }

    Netns pod() {
        Netns n = Netns.create("p");
        pods.add(n);
        return n;
    }

    /** Runs {@code plugin} exactly as a runtime does: a clean environment plus the given CNI_* vars, config on stdin. */
    Run exec(Path plugin, Map<String, String> env, String stdin) {
        return exec(List.of(plugin.toString()), env, stdin);
    }

    /** Runs a plugin inside the host namespace (as a runtime on that host would): {@code ip netns exec host plugin}. */
    Run execInHost(Path plugin, Map<String, String> env, String stdin) {
        return exec(List.of("ip", "netns", "exec", host.name(), plugin.toString()), env, stdin);
    }

    Run exec(List<String> command, Map<String, String> env, String stdin) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            pb.environment().putAll(env);
            Process p = pb.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the plugin may exit without reading stdin
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("plugin timed out");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The CNI_* environment of an ADD/DEL/CHECK through the podnet shim. */
    Map<String, String> env(String command, String containerId, Netns pod, String ifname) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_COMMAND", command);
        if (containerId != null) e.put("CNI_CONTAINERID", containerId);
        if (pod != null) e.put("CNI_NETNS", pod.path().toString());
        if (ifname != null) e.put("CNI_IFNAME", ifname);
        e.put("CNI_PATH", bin + ":/usr/lib/cni");
        e.put("PODNET_AGENT_SOCKET", socket.toString());
        return e;
    }

    Run podnet(String command, String containerId, Netns pod, String ifname, String conf) {
        return exec(shim, env(command, containerId, pod, ifname), conf);
    }

    /** A {@code podnet} bridge network config with host-local style IPAM in this bed's ipam dir. */
    ObjectNode bridgeConf(String version, String network, String bridge, String... subnets) {
        ObjectNode c = JSON.createObjectNode();
        c.put("cniVersion", version).put("name", network).put("type", "podnet").put("bridge", bridge).put("isGateway", true);
        ObjectNode ipam = c.putObject("ipam");
        ipam.put("type", "podnet-ipam").put("dataDir", ipamDir.toString());
        var ranges = ipam.putArray("ranges");
        for (String s : subnets) ranges.addArray().addObject().put("subnet", s);
        return c;
    }

    /** The reserved IPs (host-local layout: one file per IP) of a network. */
    List<String> reservations(String network) {
        Path d = ipamDir.resolve(network);
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f.:]+") && (n.contains(".") || n.contains(":")))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String reservationOwner(String network, String ip) throws IOException {
        return Files.readString(ipamDir.resolve(network).resolve(ip)).split("\r?\n")[0].strip();
    }

    /**
     * Waits (10 s at most) until the node state of a network without endpoints is gone from the host namespace:
     * its masquerade chain and podnet's FORWARD accepts (the agent's loop removes them after the last DEL returned).
     */
    void awaitNetworkStateGone(String network) {
        String chain = "chain " + io.podnet.workload.bridge.NodeBridge.masqChain(network).value() + " ";
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (Sh.run("ip", "netns", "exec", host.name(), "nft", "list", "ruleset").out().contains(chain)
                || Sh.run("ip", "netns", "exec", host.name(), "iptables", "-S", "FORWARD").out().contains("podnet:pods")) {
            if (System.nanoTime() > deadline) throw new AssertionError("network " + network + ": its chain or FORWARD accepts are still there");
        }
    }

    /** Names of the veth links in the host namespace. */
    List<String> hostVeths() {
        List<String> out = new ArrayList<>();
        for (JsonNode l : Sh.ipJson(host.name(), "link", "show", "type", "veth")) out.add(l.path("ifname").asText());
        return out;
    }

    @Override
    public void close() throws Exception {
        try {
            stopAgent();
        } finally {
            for (Netns p : pods) p.close();
            host.close();
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
