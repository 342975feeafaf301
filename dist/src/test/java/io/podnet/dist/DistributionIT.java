package io.podnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.podnet.agent.AgentConfig;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The tarball {@code mvn package} builds, unpacked on a clean directory: its layout, {@code podnet install}
 * from it onto a clean root and {@code uninstall} back to empty, the agent starting from it (CNI socket served)
 * in a throwaway namespace with a private state directory and socket, and the Kubernetes manifest's parts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributionIT {
    Path work;
    Path home;

    @BeforeAll
    void unpack() throws IOException {
        Path tarball = Path.of(System.getProperty("podnet.dist", "target/podnet-0.1.0-SNAPSHOT.tar.gz"));
        assertThat(tarball).as("built by mvn package").exists();
        work = Files.createTempDirectory(RunId.prefix() + "dist");
        Sh.check("tar", "-C", work.toString(), "-xzf", tarball.toString());
        try (var s = Files.list(work)) {
            home = s.findFirst().orElseThrow();
        }
    }

    @AfterAll
    void cleanUp() throws IOException {
        if (work == null) return;
        try (var s = Files.walk(work)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Runs the distribution's own launcher with this JVM's Java. */
    Sh.Result podnet(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("env", "JAVA_HOME=" + System.getProperty("java.home"), home.resolve("bin/podnet").toString()));
        cmd.addAll(List.of(args));
        return Sh.run(cmd, 120);
    }

    @Test
    void theTarballHoldsLauncherJarsPluginSourceAndBinaryUnitConfigsAndManifest() throws IOException {
        assertThat(Files.isExecutable(home.resolve("bin/podnet"))).isTrue();
        try (var s = Files.list(home.resolve("lib"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).anyMatch(n -> n.startsWith("podnet-cli-"))
                    .anyMatch(n -> n.startsWith("podnet-agent-")).anyMatch(n -> n.startsWith("picocli-"));
        }
        assertThat(home.resolve("cni/podnet-cni.c")).exists();
        byte[] elf = Files.readAllBytes(home.resolve("cni/bin/podnet"));
        assertThat(new String(elf, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("ELF");
        Sh.Result version = Sh.run(List.of("env", "CNI_COMMAND=VERSION", home.resolve("cni/bin/podnet").toString()), 10);
        assertThat(version.out()).contains("\"supportedVersions\"").contains("1.1.0");
        assertThat(Files.readString(home.resolve("systemd/podnet-agent.service"))).contains("ExecStart=/opt/podnet/bin/podnet agent --config /etc/podnet/agent.yaml");
        for (String c : List.of("conf/10-podnet-bridge.conflist", "conf/10-podnet-flannel.conflist")) {
            JsonNode conf = new ObjectMapper().readTree(home.resolve(c).toFile());
            assertThat(conf.path("plugins").get(0).path("type").asText()).startsWith("podnet");
        }
        assertThat(AgentConfig.load(home.resolve("conf/agent-overlay.yaml")).overlay().enabled()).isTrue();
        assertThat(AgentConfig.load(home.resolve("conf/agent-bridge.yaml")).etcd()).isNull();
        assertThat(Files.readString(home.resolve("README.md"))).doesNotContain("${").contains("/opt/podnet");
        Sh.Result help = podnet(List.of(), "lab", "up", "--help");
        assertThat(help.exit()).as(help.err()).isZero();
        assertThat(help.out()).contains("Usage: podnet lab up");
    }

    @Test
    void installFromTheTarballOnACleanRootThenUninstallLeavesItEmpty() throws IOException {
        Path root = Files.createDirectory(work.resolve("root"));
        Sh.Result in = podnet(List.of(), "install", "--root", root.toString(), "--mode", "flannel", "--etcd-endpoints", "http://127.0.0.1:2379");
        assertThat(in.exit()).as(in.out() + in.err()).isZero();
        assertThat(Files.readAllBytes(root.resolve("opt/cni/bin/podnet"))).isEqualTo(Files.readAllBytes(home.resolve("cni/bin/podnet")));
        assertThat(Files.readString(root.resolve("etc/systemd/system/podnet-agent.service"))).contains("ExecStart=" + home + "/bin/podnet agent");
        assertThat(Files.readString(root.resolve("etc/cni/net.d/10-podnet.conflist"))).contains("podnet-flannel");
        Sh.Result out = podnet(List.of(), "uninstall", "--root", root.toString());
        assertThat(out.exit()).as(out.out() + out.err()).isZero();
        try (var s = Files.list(root)) {
            assertThat(s.toList()).isEmpty();
        }
        Files.delete(root);
    }

    @Test
    void theAgentStartsFromTheTarballAndServesTheCniSocket() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        Path state = work.resolve("state");
        Path sock = work.resolve("cni.sock");
        try (Netns ns = Netns.create("dist")) {
            List<String> cmd = List.of("ip", "netns", "exec", ns.name(), "env", "JAVA_HOME=" + System.getProperty("java.home"),
                    home.resolve("bin/podnet").toString(), "agent", "--node-name", "distit", "--state-dir", state.toString(), "--cni-socket", sock.toString());
            Process agent = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("agent.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(sock)) { // polling a real process until a deadline
                    assertThat(agent.isAlive()).as(Files.readString(work.resolve("agent.log"))).isTrue();
                    assertThat(System.nanoTime()).as("agent socket within 60 s").isLessThan(deadline);
                    agent.waitFor(50, TimeUnit.MILLISECONDS);
                }
                Sh.Result status = Sh.run(List.of("sh", "-c", "echo '{\"cniVersion\":\"1.1.0\",\"name\":\"t\",\"type\":\"podnet\",\"ipam\":{\"ranges\":[[{\"subnet\":\"10.88.0.0/16\"}]]}}' | env CNI_COMMAND=STATUS PODNET_AGENT_SOCKET="
                        + sock + " " + home.resolve("cni/bin/podnet")), 30);
                assertThat(status.exit()).as("STATUS answered by the agent: " + status.out() + status.err()).isZero();
                assertThat(Files.isDirectory(state)).isTrue();
                assertThat(Files.getPosixFilePermissions(sock)).containsOnly(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            } finally {
                agent.destroy();
                if (!agent.waitFor(20, TimeUnit.SECONDS)) agent.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void theKubernetesManifestHasADaemonSetWithRequestsAndAConfigMapTheAgentAccepts() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<JsonNode> docs = new ArrayList<>();
        try (var p = yaml.createParser(home.resolve("k8s/podnet.yaml").toFile())) {
            yaml.readValues(p, JsonNode.class).forEachRemaining(docs::add);
        }
        assertThat(docs).extracting(d -> d.path("kind").asText()).containsExactly("Namespace", "ConfigMap", "DaemonSet");
        JsonNode cm = docs.get(1).path("data");
        Path agentYaml = work.resolve("agent.yaml");
        Files.writeString(agentYaml, cm.path("agent.yaml").asText());
        AgentConfig c = AgentConfig.load(agentYaml);
        assertThat(c.overlay().enabled()).isTrue();
        assertThat(c.etcd().endpoints()).isNotEmpty();
        assertThat(new ObjectMapper().readTree(cm.path("cni-conf.json").asText()).path("plugins").get(0).path("type").asText()).isEqualTo("podnet-flannel");
        JsonNode pod = docs.get(2).path("spec").path("template").path("spec");
        JsonNode res = pod.path("containers").get(0).path("resources");
        assertThat(res.path("requests").path("cpu").asText()).isEqualTo("100m");
        assertThat(res.path("requests").path("memory").asText()).isEqualTo("128Mi");
        assertThat(res.path("limits").path("memory").asText()).isEqualTo("256Mi");
        // the launcher's agent memory flags apply (bench/README.md "Agent memory"): no PODNET_JAVA_OPTS heap override
        assertThat(pod.path("containers").get(0).path("env").findValuesAsText("name")).doesNotContain("PODNET_JAVA_OPTS");
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(Map.of("cmd", pod.path("initContainers").get(0).path("command").toString())).extractingByKey("cmd").asString()
                .contains("/host/etc/cni/net.d/10-podnet.conflist");
    }
}
