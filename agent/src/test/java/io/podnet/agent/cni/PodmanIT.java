package io.podnet.agent.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real runtime: podman 4.3 with the CNI backend (REAL-CLIENTS.md 2: private containers.conf/storage.conf,
 * runc, ulimits, cgroupfs) runs two busybox containers on a podnet conflist whose plugin dir holds the C shim.
 * The agent runs in a throwaway namespace, so the bridge and host veths live there.
 */
class PodmanIT {

    @Test
    void twoContainersOnPodnetPingAndRmLeavesNothing() throws Exception {
        assumePodman();
        try (CniTestBed bed = new CniTestBed()) {
            String net = RunId.name("net");
            String image = RunId.prefix() + "-busybox";
            String c1 = RunId.name("c");
            String c2 = RunId.name("c");
            Map<String, String> env = podmanEnv(bed, net);
            try {
                startAgentAndImport(bed, env, image);
                for (String c : List.of(c1, c2)) {
                    Sh.Result r = podman(env, "run", "-d", "--name", c, "--network", net, image, "sleep", "600");
                    assertThat(r.ok()).as("podman run " + c + ": " + r.err() + "\nagent: " + bed.agentLog()).isTrue();
                }
                String ip1 = ip(env, c1, net);
                String ip2 = ip(env, c2, net);
                assertThat(ip1).startsWith("10.81.0.");
                assertThat(ip2).startsWith("10.81.0.").isNotEqualTo(ip1);
                assertThat(bed.reservations(net)).containsExactlyInAnyOrder(ip1, ip2);
                assertThat(bed.hostVeths()).hasSize(2);
                Sh.Result ping = podman(env, "exec", c1, "ping", "-c", "2", "-W", "2", ip2);
                assertThat(ping.ok()).as("c1 -> c2: " + ping.out() + ping.err()).isTrue();
                assertThat(podman(env, "exec", c2, "ping", "-c", "1", "-W", "2", "10.81.0.1").ok()).as("c2 -> gateway").isTrue();

                assertThat(podman(env, "rm", "-f", "-t", "0", c1, c2).ok()).isTrue();
                assertThat(bed.hostVeths()).as("no veth after podman rm -f").isEmpty();
                assertThat(bed.reservations(net)).as("no reservation after podman rm -f").isEmpty();
            } finally {
                podman(env, "rm", "-f", "-t", "0", c1, c2);
                podman(env, "rmi", "-f", image);
                unmountUnder(bed.dir);
            }
        }
    }

    /**
     * A container that exits by itself is torn down by conmon's {@code podman container cleanup}, whose environment
     * lacks {@code PODNET_AGENT_SOCKET}: with the socket named in the network config ({@code agentSocket}) that DEL
     * reaches the agent, so the address, the veth and libcni's cache entry all go.
     */
    @Test
    void aSelfExitingContainerIsTornDownThroughTheSocketNamedInTheConfig() throws Exception {
        assumePodman();
        try (CniTestBed bed = new CniTestBed()) {
            String net = RunId.name("net");
            String image = RunId.prefix() + "-busybox";
            String c = RunId.name("c");
            Map<String, String> env = podmanEnv(bed, net, true);
            try {
                startAgentAndImport(bed, env, image);
                Sh.Result r = podman(env, "run", "-d", "--name", c, "--network", net, image, "sleep", "2");
                assertThat(r.ok()).as("podman run: " + r.err() + "\nagent: " + bed.agentLog()).isTrue();
                String id = r.out().strip();
                java.time.Instant end = java.time.Instant.now().plusSeconds(90);
                // conmon notices the exit and runs the cleanup (CNI DEL) without our environment
                while ((!bed.reservations(net).isEmpty() || !bed.hostVeths().isEmpty()) && java.time.Instant.now().isBefore(end)) {
                    podman(env, "wait", "--interval", "250ms", c);
                }
                assertThat(bed.reservations(net)).as("reservation after the container exited\nagent: " + bed.agentLog()).isEmpty();
                assertThat(bed.hostVeths()).as("host veth after the container exited").isEmpty();
                assertThat(cacheEntries(net, id)).as("libcni cache entries for " + net).isEmpty();
            } finally {
                podman(env, "rm", "-f", "-t", "0", c);
                podman(env, "rmi", "-f", image);
                unmountUnder(bed.dir);
            }
        }
    }

    /** libcni's result cache of the container on this network ({@code /var/lib/cni/results/<net>-<id>-<ifname>}). */
    static List<Path> cacheEntries(String net, String id) throws IOException {
        Path results = Path.of("/var/lib/cni/results");
        if (!Files.isDirectory(results)) return List.of();
        try (var s = Files.list(results)) {
            return s.filter(p -> p.getFileName().toString().startsWith(net + "-" + id)).toList();
        }
    }

    /** Starts the agent and imports the busybox image (skips the test when podman cannot import here). */
    static void startAgentAndImport(CniTestBed bed, Map<String, String> env, String image) throws IOException {
        bed.startAgent();
        Sh.Result imp = podman(env, "import", rootfsTar(bed.dir).toString(), image);
        assumeTrue(imp.ok(), "podman cannot import an image here: " + imp.err());
    }

    static void assumePodman() {
        assumeTrue(Netns.privileged(), "needs root");
        assumeTrue(Sh.has("podman") && Sh.has("runc") && Files.isExecutable(Path.of("/bin/busybox")),
                "podman/runc/busybox-static not installed (scripts/common.sh PODNET_PACKAGES installs them)");
    }

    static Map<String, String> podmanEnv(CniTestBed bed, String net) throws IOException {
        return podmanEnv(bed, net, true);
    }

    /** Private podman config; {@code agentSocket}: name the agent's socket in the plugin config too. */
    static Map<String, String> podmanEnv(CniTestBed bed, String net, boolean agentSocket) throws IOException {
        Path w = bed.dir;
        Path cni = Files.createDirectories(w.resolve("cni"));
        Files.createDirectories(w.resolve("tmp"));
        ObjectNode plugin = bed.bridgeConf("1.0.0", net, RunId.name("b"), "10.81.0.0/24");
        plugin.remove("cniVersion");
        plugin.remove("name");
        if (agentSocket) plugin.put("agentSocket", bed.socket.toString());
        ObjectNode list = CniTestBed.JSON.createObjectNode().put("cniVersion", "1.0.0").put("name", net);
        list.putArray("plugins").add(plugin);
        Files.writeString(cni.resolve(net + ".conflist"), list.toPrettyString());
        Files.writeString(w.resolve("containers.conf"), """
                [containers]
                default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
                [network]
                network_backend = "cni"
                cni_plugin_dirs = ["%s", "/usr/lib/cni"]
                network_config_dir = "%s"
                default_network = "%s"
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                runtime = "runc"
                tmp_dir = "%s"
                """.formatted(bed.bin, cni, net, w.resolve("tmp")));
        Files.writeString(w.resolve("storage.conf"), """
                [storage]
                driver = "overlay"
                graphroot = "%s"
                runroot = "%s"
                """.formatted(w.resolve("storage"), w.resolve("run")));
        return Map.of("CONTAINERS_CONF", w.resolve("containers.conf").toString(),
                "CONTAINERS_STORAGE_CONF", w.resolve("storage.conf").toString(),
                "PODNET_AGENT_SOCKET", bed.socket.toString());
    }

    /** A busybox-static rootfs (bin/busybox + applet symlinks) as a tar for {@code podman import}. */
    static Path rootfsTar(Path w) throws IOException {
        Path root = Files.createDirectories(w.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("busybox"));
        for (String applet : List.of("sh", "sleep", "ping", "ip", "true")) Files.createSymbolicLink(root.resolve(applet), Path.of("busybox"));
        Path tar = w.resolve("rootfs.tar");
        Sh.run("tar", "-C", w.resolve("rootfs").toString(), "-cf", tar.toString(), ".").check();
        return tar;
    }

    static String ip(Map<String, String> env, String c, String net) {
        Sh.Result r = podman(env, "inspect", c, "--format", "{{(index .NetworkSettings.Networks \"" + net + "\").IPAddress}}");
        assertThat(r.ok()).as(r.err()).isTrue();
        return r.out().strip();
    }

    static Sh.Result podman(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add("podman");
        cmd.addAll(List.of(args));
        return Sh.run(cmd, 120);
    }

    /** Overlay storage leaves mounts under the private graphroot/runroot: unmount them before the dir is deleted. */
    static void unmountUnder(Path w) throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String mp = line.split(" ")[1];
            if (mp.startsWith(w.toString())) mounts.add(mp);
        }
        for (String mp : mounts.reversed()) Sh.run("umount", "-l", mp);
    }
}
