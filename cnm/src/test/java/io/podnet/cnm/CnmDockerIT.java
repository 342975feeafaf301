package io.podnet.cnm;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import io.podnet.workload.nft.NftTable;
import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * podnet as the network and IPAM driver of a real dockerd 20.10 (Debian's docker.io). dockerd runs inside a
 * throwaway namespace (private data root, exec root, socket and pidfile; no iptables, no default bridge), so
 * the bridges, veths and the nft table the driver makes live there too; the plugin socket is
 * {@code /run/docker/plugins/<run-unique name>.sock}.
 */
class CnmDockerIT {
    private static final String DOCKERD = "/usr/sbin/dockerd";
    private static final String DOCKER = "/usr/bin/docker"; // Debian's client, matching the daemon's API
    private static final int PORT = 18081;

    @Test
    void dockerRunsContainersOnPodnetNetworks() throws Exception {
        Assumptions.assumeTrue(Netns.privileged(), "needs root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of(DOCKERD)) && Files.isExecutable(Path.of(DOCKER)),
                "docker.io is not installed (scripts/common.sh installs it)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "busybox-static is not installed");
        String driver = RunId.name("cnm");
        Path work = Files.createTempDirectory(RunId.prefix() + "-cnm-docker");
        Path pluginSocket = Path.of("/run/docker/plugins", driver + ".sock");
        Process dockerd = null;
        try (Netns ns = Netns.create("dk")) {
            Sh.check("ip", "-n", ns.name(), "link", "set", "lo", "up");
            CnmConfig cfg = new CnmConfig(pluginSocket, work.resolve("cnm-state"), IpPrefix.parse("10.252.0.0/16"), 24, false, true);
            CnmServer[] server = new CnmServer[1];
            try (Rtnetlink h = Rtnetlink.open(NetNs.named(ns.name()))) {
                server[0] = CnmServer.start(cfg, h, new NftTable());
                dockerd = startDockerd(ns, work);
                Docker d = new Docker(work.resolve("docker.sock"));
                d.waitReady(dockerd, work);
                d.run("import", buildRootfs(work).toString(), driver + "-img:latest");
                exercise(d, driver, ns, () -> {
                    server[0].close(); // our restart while containers run: dockerd replays nothing
                    server[0] = CnmServer.start(cfg, h, new NftTable());
                    return server[0];
                });
            } finally {
                if (dockerd != null) stopDockerd(dockerd, new Docker(work.resolve("docker.sock")));
                if (server[0] != null) server[0].close();
            }
        } finally {
            Files.deleteIfExists(pluginSocket);
            Sh.run(List.of("rm", "-rf", work.toString()), 120);
        }
    }

    /** Restarts the CNM server and returns the new one. */
    private interface Restart {
        CnmServer restart() throws Exception;
    }

    private void exercise(Docker d, String driver, Netns ns, Restart restart) throws Exception {
        String img = driver + "-img";
        String n1 = driver + "-n1";
        String n2 = driver + "-n2";
        d.run("network", "create", "-d", driver, "--ipam-driver", driver, n1);
        String sub1 = d.run("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", n1).strip();
        assertThat(IpPrefix.parse("10.252.0.0/16").contains(IpPrefix.parse(sub1))).as(sub1).isTrue();
        d.run("network", "create", "-d", driver, "--ipam-driver", driver, "--subnet", "10.235.0.0/24", "--gateway", "10.235.0.254",
                "--ip-range", "10.235.0.128/25", "--aux-address", "aux=10.235.0.10", n2);

        d.run("run", "-d", "--name", driver + "-c1", "--network", n2, "-p", "127.0.0.1:" + PORT + ":80", img,
                "/bin/httpd", "-f", "-p", "80", "-h", "/www");
        d.run("run", "-d", "--name", driver + "-c2", "--network", n2, img, "/bin/sleep", "600");
        String ip1 = d.run("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + n2 + "\").IPAddress}}", driver + "-c1").strip();
        assertThat(IpPrefix.parse("10.235.0.128/25").contains(io.podnet.net.IpAddress.parse(ip1))).as(ip1).isTrue();
        d.run("exec", driver + "-c2", "/bin/ping", "-c", "1", "-W", "5", ip1);
        d.run("exec", driver + "-c2", "/bin/ping", "-c", "1", "-W", "5", "10.235.0.254");
        assertThat(httpGet(ns)).contains("podnet-cnm-ok");
        CnmServer server = restart.restart();
        assertThat(httpGet(ns)).contains("podnet-cnm-ok");

        d.run("network", "connect", n1, driver + "-c2");
        assertThat(d.run("exec", driver + "-c2", "/bin/ip", "-4", "addr", "show", "eth1")).contains(sub1.substring(0, sub1.lastIndexOf('.')));
        d.run("network", "disconnect", n1, driver + "-c2");

        d.run("rm", "-f", driver + "-c1", driver + "-c2");
        d.run("network", "rm", n1, n2);
        assertThat(Sh.ip(ns.name(), "link", "show")).doesNotContain("pnh").doesNotContain("pnc").doesNotContain("pnd");
        assertThat(Sh.run("ip", "netns", "exec", ns.name(), "nft", "list", "ruleset").out()).doesNotContain("cnm_");
        assertThat(server.ipam().pools()).isEmpty();
        assertThat(server.network().endpoints()).isEmpty();
        assertThat(reservedIpFiles(server)).isEmpty();
    }

    private static List<Path> reservedIpFiles(CnmServer server) throws Exception {
        Path ipam = server.ipamDir();
        if (!Files.exists(ipam)) return List.of();
        try (Stream<Path> s = Files.walk(ipam)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches("[0-9.]+")).toList();
        }
    }

    /** What a user does: curl 127.0.0.1:PORT on the host (here: the namespace dockerd runs in). */
    private static String httpGet(Netns ns) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            try {
                return NetNs.named(ns.name()).run(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", PORT), 5_000);
                        s.setSoTimeout(5_000);
                        s.getOutputStream().write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        InputStream in = s.getInputStream();
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                });
            } catch (java.io.IOException e) {
                if (Instant.now().isAfter(deadline)) throw e; // httpd may still be starting
                Thread.sleep(200);
            }
        }
    }

    /** nsenter (not {@code ip netns exec}, which remounts /sys and so hides the cgroup mounts dockerd needs). */
    private static Process startDockerd(Netns ns, Path work) throws Exception {
        List<String> cmd = List.of("nsenter", "--net=" + ns.path(), DOCKERD, "--storage-driver=vfs",
                "--data-root", work.resolve("data").toString(), "--exec-root", work.resolve("exec").toString(),
                "--pidfile", work.resolve("dockerd.pid").toString(), "-H", "unix://" + work.resolve("docker.sock"),
                "--iptables=false", "--ip6tables=false", "--bridge=none", "--ip-masq=false", "--debug");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("dockerd.log").toFile())
                .redirectInput(new File("/dev/null")).start();
    }

    private static void stopDockerd(Process dockerd, Docker d) throws Exception {
        if (dockerd.isAlive()) {
            Sh.Result ids = Sh.run(List.of(DOCKER, "-H", d.host, "ps", "-aq"), 30);
            for (String id : ids.out().split("\\s+")) {
                if (!id.isBlank()) Sh.run(List.of(DOCKER, "-H", d.host, "rm", "-f", id), 60);
            }
        }
        List<ProcessHandle> children = new ArrayList<>(dockerd.descendants().toList());
        dockerd.destroy(); // SIGTERM: dockerd stops its containerd
        if (!dockerd.waitFor(30, TimeUnit.SECONDS)) dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle c : children) {
            if (c.isAlive()) c.destroyForcibly();
        }
    }

    /** A busybox rootfs (Debian's busybox-static plus applet links, /www/index.html) as a tar for docker import. */
    private static Path buildRootfs(Path work) throws Exception {
        Path root = work.resolve("rootfs");
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("www"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        for (String a : List.of("sh", "sleep", "ping", "httpd", "ip", "cat", "ls")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(a), Path.of("busybox"));
        }
        Files.writeString(root.resolve("www/index.html"), "podnet-cnm-ok\n");
        Path tar = work.resolve("rootfs.tar");
        Sh.run(List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."), 60).check();
        return tar;
    }

    /** The docker CLI against our private daemon, each call bounded. */
    private static final class Docker {
        final String host;

        Docker(Path socket) {
            this.host = "unix://" + socket;
        }

        String run(String... args) {
            List<String> cmd = new ArrayList<>(List.of(DOCKER, "-H", host));
            cmd.addAll(List.of(args));
            return Sh.run(cmd, 90).check().out();
        }

        void waitReady(Process dockerd, Path work) throws Exception {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            while (!Sh.run(List.of(DOCKER, "-H", host, "version"), 20).ok()) {
                if (!dockerd.isAlive() || Instant.now().isAfter(deadline)) {
                    String log = Files.readString(work.resolve("dockerd.log"));
                    throw new IllegalStateException("dockerd did not come up: " + log.substring(Math.max(0, log.length() - 3000)));
                }
                Thread.sleep(200);
            }
        }
    }
}
