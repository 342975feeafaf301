package io.podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code podnet agent} (the real command, as a child JVM inside a throwaway namespace) stopped with SIGTERM, three
 * times in a row: each time both of its sockets (CNI and Docker plugin) are gone when the process has exited.
 */
class AgentSigtermNetnsIT {
    @Test
    void sigtermRemovesBothSocketsEveryTime() throws Exception {
        assumeTrue(Netns.privileged(), "needs root for network namespaces");
        Path dir = Files.createTempDirectory(RunId.prefix() + "-sigterm");
        Path cni = dir.resolve("run/cni.sock");
        Path docker = dir.resolve("plugins/" + RunId.prefix() + ".sock");
        try (Netns ns = Netns.create("t")) {
            for (int round = 1; round <= 3; round++) {
                Process p = new ProcessBuilder("ip", "netns", "exec", ns.name(),
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "agent",
                        "--node-name", "t", "--state-dir", dir.resolve("state").toString(), "--cni-socket", cni.toString(),
                        "--docker", "--docker-socket", docker.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start();
                try {
                    Instant end = Instant.now().plus(Duration.ofSeconds(60));
                    while (!(Files.exists(cni) && Files.exists(docker)) && p.isAlive() && Instant.now().isBefore(end)) {
                        p.waitFor(50, TimeUnit.MILLISECONDS);
                    }
                    assertThat(Files.exists(cni) && Files.exists(docker)).as("round " + round + " serving: " + log(dir)).isTrue();
                    p.destroy(); // SIGTERM to the JVM (ip netns exec execs it)
                    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("round " + round + " exits").isTrue();
                    assertThat(cni).as("round " + round + ": CNI socket after SIGTERM\n" + log(dir)).doesNotExist();
                    assertThat(docker).as("round " + round + ": Docker plugin socket after SIGTERM").doesNotExist();
                } finally {
                    p.destroyForcibly();
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String log(Path dir) {
        try {
            return Files.readString(dir.resolve("agent.log"));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
