package io.podnet.agent.cnm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podnet.testkit.Daemons;
import io.podnet.testkit.Dockerd;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test bed for the Docker acceptance tests through the agent: a throwaway "host" namespace, the agent as a child JVM
 * in it (config file with a {@code cnm:} section, plugin socket {@code /run/docker/plugins/<run-unique>.sock},
 * private state dir) and a private dockerd in the same namespace. Everything carries the RunId prefix and is
 * removed by {@link #close()}, even on failure; the agent's and dockerd's logs are kept in {@code target/cnm-it-logs/}.
 */
final class CnmAgentBed implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEFAULT_POOLS = "10.251.0.0/16";
    final String driver;
    final Path dir;
    final Path pluginSocket;
    final Path cnmState;
    final Netns host;
    final Dockerd docker;
    private final Path config;
    private Process agent;

    CnmAgentBed(String... dockerdFlags) throws IOException {
        driver = RunId.name("dk");
        dir = Files.createTempDirectory(RunId.prefix() + "-cnm-agent");
        pluginSocket = Path.of("/run/docker/plugins", driver + ".sock");
        cnmState = dir.resolve("state/cnm");
        config = dir.resolve("agent.yaml");
        Files.writeString(config, """
                nodeName: cnm-test
                stateDir: %s
                cniSocket: %s
                cnm:
                  enabled: true
                  socket: %s
                  defaultPools: %s
                  poolLength: 24
                """.formatted(dir.resolve("state"), dir.resolve("cni.sock"), pluginSocket, DEFAULT_POOLS));
        Netns ns = Netns.create("dh");
        host = ns;
        Dockerd d = null;
        try {
            startAgent();
            d = Dockerd.start(ns, dir.resolve("docker"), dockerdFlags);
            d.importBusybox(image(), "podnet-cnm-agent-ok");
        } catch (RuntimeException | IOException e) {
            if (d != null) d.close();
            stopAgent();
            ns.close();
            Daemons.deleteTree(dir);
            Files.deleteIfExists(pluginSocket);
            throw e;
        }
        docker = d;
    }

    String image() { return driver + "-img:latest"; }

    /** Starts (or restarts) the agent JVM inside the host namespace; returns when it serves. */
    void startAgent() throws IOException {
        agent = io.podnet.agent.AgentJvm.start(host.name(), dir, "io.podnet.cnm.Dispatcher", CnmAgentTestMain.class,
                List.of(config.toString()));
    }

    String agentLog() {
        return io.podnet.agent.AgentJvm.log(dir);
    }

    /** kill -9 of the agent JVM by its PID ({@code ip netns exec} execs java, so the PID is the JVM's). */
    void killAgent() throws InterruptedException {
        agent.destroyForcibly();
        agent.waitFor(30, TimeUnit.SECONDS);
    }

    boolean agentAlive() { return agent != null && agent.isAlive(); }

    void stopAgent() {
        if (agent == null || !agent.isAlive()) return;
        try {
            agent.getOutputStream().close();
            if (!agent.waitFor(15, TimeUnit.SECONDS)) killAgent();
        } catch (IOException | InterruptedException e) {
            agent.destroyForcibly();
        }
    }

    /** podnet's links in the host namespace (bridges pnd*, veth ends pnh* and pnc*). */
    List<String> podnetLinks() {
        List<String> out = new ArrayList<>();
        for (JsonNode l : Sh.ipJson(host.name(), "link", "show")) {
            String n = l.path("ifname").asText();
            if (n.startsWith("pnd") || n.startsWith("pnh") || n.startsWith("pnc")) out.add(n);
        }
        return out;
    }

    List<String> veths() {
        return podnetLinks().stream().filter(n -> !n.startsWith("pnd")).toList();
    }

    String ruleset() {
        return host.exec("nft", "list", "ruleset").check().out();
    }

    /** Address reservations by pool directory ({@code <stateDir>/cnm/ipam/<pool>/<ip>}). */
    TreeMap<String, List<String>> reservations() {
        TreeMap<String, List<String>> out = new TreeMap<>();
        Path ipam = cnmState.resolve("ipam");
        if (!Files.isDirectory(ipam)) return out;
        try (Stream<Path> pools = Files.list(ipam)) {
            for (Path p : pools.filter(Files::isDirectory).toList()) {
                try (Stream<Path> s = Files.list(p)) {
                    List<String> ips = s.map(f -> f.getFileName().toString()).filter(n -> n.matches("[0-9.]+|[0-9a-f:]*:[0-9a-f:]*")).sorted().toList();
                    if (!ips.isEmpty()) out.put(p.getFileName().toString(), ips);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    List<String> reservations(String poolDir) {
        return reservations().getOrDefault(poolDir, List.of());
    }

    List<String> stateFiles(String sub) {
        Path d = cnmState.resolve(sub);
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode pools() throws IOException {
        Path f = cnmState.resolve("pools.json");
        return Files.exists(f) ? JSON.readTree(f.toFile()) : JSON.createObjectNode();
    }

    /** After every container and network is gone: no veth, bridge, nft rule, endpoint, network, pool or reservation. */
    void assertNothingLeft() throws IOException {
        assertThat(podnetLinks()).as("podnet links").isEmpty();
        assertThat(ruleset()).as("nft ruleset").doesNotContain("cnm");
        assertThat(stateFiles("endpoints")).as("endpoint files").isEmpty();
        assertThat(stateFiles("networks")).as("network files").isEmpty();
        assertThat(pools().size()).as("pools " + pools()).isZero();
        assertThat(reservations()).as("reservations").isEmpty();
    }

    /** Keeps the agent's and dockerd's logs in {@code target/cnm-it-logs/} (the work dir is removed). */
    private void keepLogs() {
        try {
            Path out = Files.createDirectories(Path.of("target", "cnm-it-logs"));
            for (Path log : List.of(dir.resolve("agent.log"), dir.resolve("docker/dockerd.log"))) {
                if (Files.exists(log)) {
                    Files.copy(log, out.resolve(driver + "-" + log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            System.err.println("cannot keep logs: " + e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            docker.close();
        } finally {
            try {
                stopAgent();
                keepLogs();
            } finally {
                host.close();
                Files.deleteIfExists(pluginSocket);
                Sh.run(List.of("rm", "-rf", dir.toString()), 120);
            }
        }
    }
}
