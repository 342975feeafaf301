package io.podnet.cnm;

import static org.assertj.core.api.Assertions.assertThat;

import io.podnet.net.IpAddress;
import io.podnet.net.IpPrefix;
import io.podnet.rtnetlink.NetNs;
import io.podnet.rtnetlink.Rtnetlink;
import io.podnet.testkit.Dockerd;
import io.podnet.testkit.Netns;
import io.podnet.testkit.RunId;
import io.podnet.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * podnet as the network and IPAM driver of a real dockerd 20.10 (Debian's docker.io), the server in this JVM.
 * dockerd runs inside a throwaway namespace ({@link Dockerd}: private data root, exec root, socket and pidfile; no
 * iptables, no default bridge), so the bridges, veths and the nft table the driver makes live there too; the plugin
 * socket is {@code /run/docker/plugins/<run-unique name>.sock}. The agent-level acceptance (agent and dockerd
 * restarts, failure paths) is {@code io.podnet.agent.cnm.CnmAgentDockerIT}.
 */
class CnmDockerIT {
    private static final int PORT = 18081;

    @Test
    void dockerRunsContainersOnPodnetNetworks() throws Exception {
        Assumptions.assumeTrue(Dockerd.unavailable().isEmpty(), () -> Dockerd.unavailable().orElse(""));
        String driver = RunId.name("cnm");
        Path work = Files.createTempDirectory(RunId.prefix() + "-cnm-docker");
        Path pluginSocket = Path.of("/run/docker/plugins", driver + ".sock");
        try (Netns ns = Netns.create("dk")) {
            CnmConfig cfg = new CnmConfig(pluginSocket, work.resolve("cnm-state"), IpPrefix.parse("10.252.0.0/16"), 24, false, true);
            TestNode[] server = new TestNode[1];
            try (Rtnetlink h = Rtnetlink.open(NetNs.named(ns.name()))) {
                server[0] = TestNode.real(cfg, h);
                try (Dockerd d = Dockerd.start(ns, work.resolve("docker"))) {
                    d.importBusybox(driver + "-img:latest", "podnet-cnm-ok");
                    exercise(d, driver, ns, () -> {
                        server[0].close(); // our restart while containers run: dockerd replays nothing
                        server[0] = TestNode.real(cfg, h);
                        return server[0].server();
                    });
                }
            } finally {
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

    private void exercise(Dockerd d, String driver, Netns ns, Restart restart) throws Exception {
        String img = driver + "-img";
        String n1 = driver + "-n1";
        String n2 = driver + "-n2";
        d.check("network", "create", "-d", driver, "--ipam-driver", driver, n1);
        String sub1 = d.check("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", n1).strip();
        assertThat(IpPrefix.parse("10.252.0.0/16").contains(IpPrefix.parse(sub1))).as(sub1).isTrue();
        d.check("network", "create", "-d", driver, "--ipam-driver", driver, "--subnet", "10.235.0.0/24", "--gateway", "10.235.0.254",
                "--ip-range", "10.235.0.128/25", "--aux-address", "aux=10.235.0.10", n2);

        d.check("run", "-d", "--name", driver + "-c1", "--network", n2, "-p", "127.0.0.1:" + PORT + ":80", img,
                "/bin/httpd", "-f", "-p", "80", "-h", "/www");
        d.check("run", "-d", "--name", driver + "-c2", "--network", n2, img, "/bin/sleep", "600");
        String ip1 = d.ipOf(driver + "-c1", n2);
        assertThat(IpPrefix.parse("10.235.0.128/25").contains(IpAddress.parse(ip1))).as(ip1).isTrue();
        d.check("exec", driver + "-c2", "/bin/ping", "-c", "1", "-W", "5", ip1);
        d.check("exec", driver + "-c2", "/bin/ping", "-c", "1", "-W", "5", "10.235.0.254");
        assertThat(d.httpGet(PORT)).contains("podnet-cnm-ok");
        CnmServer server = restart.restart();
        assertThat(d.httpGet(PORT)).contains("podnet-cnm-ok");

        d.check("network", "connect", n1, driver + "-c2");
        assertThat(d.check("exec", driver + "-c2", "/bin/ip", "-4", "addr", "show", "eth1")).contains(sub1.substring(0, sub1.lastIndexOf('.')));
        d.check("network", "disconnect", n1, driver + "-c2");

        d.check("rm", "-f", driver + "-c1", driver + "-c2");
        d.check("network", "rm", n1, n2);
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
}
